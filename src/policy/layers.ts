/** Reads every document of a policy set leniently, with what each statement reference carries. */
import type { PolicyDocument, PolicyKind } from './document.js';
import type { PolicyLayer, StatementRef } from './decision.js';
import { parsePolicyDocument } from './parse.js';
import type { PolicyDocumentSource, PolicySetInput } from './request.js';

export interface LoadedPolicy {
  readonly layer: PolicyLayer;
  readonly policy: number;
  readonly level?: number;
  readonly name?: string;
  readonly type?: 'System' | 'Custom';
  readonly version?: string;
  readonly document: PolicyDocument;
  /** Problems met while reading (the document loads anyway). */
  readonly diagnostics: readonly string[];
}

export interface LoadedSet {
  readonly control: readonly (readonly LoadedPolicy[])[];
  readonly session: LoadedPolicy | undefined;
  readonly identity: readonly LoadedPolicy[];
  /** The target's resource-based policy; layer 'trust' for a trust policy, else 'resource'. */
  readonly resource: LoadedPolicy | undefined;
}

function load(
  source: PolicyDocumentSource,
  kind: PolicyKind,
  base: Omit<LoadedPolicy, 'document' | 'diagnostics'>,
): LoadedPolicy {
  const { document, findings } = parsePolicyDocument(source, kind);
  return { ...base, document, diagnostics: findings.map((f) => `${f.path || 'document'}: ${f.message}`) };
}

export function loadSet(set: PolicySetInput): LoadedSet {
  const control = (set.control ?? []).map((level, l) =>
    level.policies.map((p, i) =>
      load(p.document, 'control', {
        layer: 'control',
        policy: i,
        level: l,
        name: p.name,
        ...(p.type ? { type: p.type } : {}),
        ...(p.version ? { version: p.version } : {}),
      }),
    ),
  );
  const session = set.session
    ? load(set.session.document, 'session', {
        layer: 'session',
        policy: 0,
        ...(set.session.name ? { name: set.session.name } : {}),
      })
    : undefined;
  const identity = set.identity.map((p, i) =>
    load(p.document, 'permission', {
      layer: 'identity',
      policy: i,
      name: p.name,
      ...(p.type ? { type: p.type } : {}),
      ...(p.version ? { version: p.version } : {}),
    }),
  );
  const r = set.resource;
  const resource = r
    ? load(r.document, r.kind === 'trust-policy' ? 'trust' : 'oss-bucket', {
        layer: r.kind === 'trust-policy' ? 'trust' : 'resource',
        policy: 0,
        ...(r.name ? { name: r.name } : {}),
      })
    : undefined;
  return { control, session, identity, resource };
}

/** The reference to statement `index` of a loaded policy, with the names the input gave. */
export function statementRef(p: LoadedPolicy, index: number): StatementRef {
  const sid = p.document.statements[index]?.sid;
  return {
    layer: p.layer,
    policy: p.policy,
    ...(p.level === undefined ? {} : { level: p.level }),
    statement: index,
    ...(p.name === undefined ? {} : { policyName: p.name }),
    ...(p.type === undefined ? {} : { policyType: p.type }),
    ...(p.version === undefined ? {} : { policyVersion: p.version }),
    ...(sid === undefined ? {} : { sid }),
  };
}
