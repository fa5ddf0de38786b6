/**
 * External access: which principals outside an account a role's trust policy or a bucket's
 * policy lets in. Each Allow statement's principals are read and classified: another account
 * (its id, or an ARN in it), anyone (`*`), a cloud service, or a federated identity provider;
 * the conditions that still apply are listed. Principals of the owning account are not listed.
 */
import { parsePolicyDocument } from '../policy/parse.js';
import type { PolicyKind, Statement } from '../policy/index.js';

export interface ExternalGrant {
  /** role/<name> or bucket/<name>. */
  readonly resource: string;
  readonly principal: string;
  readonly kind: 'Anyone' | 'Account' | 'Service' | 'Federated';
  /** For Account: the account id. */
  readonly accountId?: string;
  readonly actions: readonly string[];
  readonly statement: number;
  readonly conditions: readonly string[];
}

const ACCOUNT_OF = /^acs:ram::([0-9]{16}):/;

function conditionsOf(s: Statement): string[] {
  return s.conditions.map((c) => `${c.operator} ${c.key} ${c.values.map(String).join(' | ')}`);
}

function classify(value: string, owner: string): Pick<ExternalGrant, 'kind' | 'accountId'> | undefined {
  if (value === '*') return { kind: 'Anyone' };
  if (/^[0-9]{16}$/.test(value)) return value === owner ? undefined : { kind: 'Account', accountId: value };
  const m = ACCOUNT_OF.exec(value);
  if (m) return m[1] === owner ? undefined : { kind: 'Account', accountId: m[1] as string };
  // A RAM user id (bucket policies) or anything else names a principal of the owner.
  return undefined;
}

function grantsOf(resource: string, text: string, kind: PolicyKind, owner: string): ExternalGrant[] {
  const doc = parsePolicyDocument(text, kind).document;
  const out: ExternalGrant[] = [];
  for (const s of doc.statements) {
    if (s.effect !== 'Allow' || s.broken !== undefined || !s.principal) continue;
    const actions = s.action ? s.action.patterns.map((a) => (s.action!.negated ? `NOT ${a}` : a)) : [];
    const base = { resource, actions, statement: s.index, conditions: conditionsOf(s) };
    if (s.principal.form === 'list') {
      for (const v of s.principal.values) {
        const c = classify(v, owner);
        if (c) out.push({ ...base, principal: v, ...c });
      }
      continue;
    }
    for (const entry of s.principal.entries) {
      for (const v of entry.values) {
        if (entry.type === 'Service') out.push({ ...base, principal: v, kind: 'Service' });
        else if (entry.type === 'Federated') out.push({ ...base, principal: v, kind: 'Federated' });
        else {
          const c = classify(v, owner);
          if (c) out.push({ ...base, principal: v, ...c });
        }
      }
    }
  }
  return out;
}

/** Principals outside the account a role's trust policy allows to assume it. */
export function externalRoleAccess(
  accountId: string,
  roles: readonly { readonly roleName: string; readonly assumeRolePolicyDocument: string }[],
): ExternalGrant[] {
  return roles.flatMap((r) => grantsOf(`role/${r.roleName}`, r.assumeRolePolicyDocument, 'trust', accountId));
}

/** Principals outside the account a bucket policy allows. */
export function externalBucketAccess(
  accountId: string,
  buckets: readonly { readonly name: string; readonly policy: string | null }[],
): ExternalGrant[] {
  return buckets.flatMap((b) =>
    b.policy ? grantsOf(`bucket/${b.name}`, b.policy, 'oss-bucket', accountId) : [],
  );
}
