/**
 * Who can do an action on a resource in an account, and what a principal can do: every RAM
 * user and role decided by the engine over its stored policies (own, groups', control
 * policies of the account's Resource Directory path), with the statements that allow it and
 * the conditions still to be met, and for roles who reaches them through sts:AssumeRole.
 *
 * A principal is `Allowed` when the engine allows the request with no condition key at all;
 * `Conditional` when it would allow it once some conditions hold: the request is decided
 * again with every Allow statement's conditions taken as met and every Deny statement that
 * has conditions set aside (in the principal's policies, the control policies and the resource
 * policy: a role's trust policy, a bucket policy), and the conditions of the statements that
 * then allow it (and of every Deny statement with conditions that matches the action, the
 * resource and, in a resource policy, the principal) are listed.
 */
import { roleArn, roleArnAsStored, userArn } from '../arn.js';
import type { Principal } from '../auth/principal.js';
import { requestPrincipal } from '../api/authorize.js';
import { assumedRoleRef, trustTarget } from '../api/steps/authorize.js';
import type { Services } from '../domain/request-services.js';
import {
  evaluate,
  type AuthorizationRequest,
  type Decision,
  type PolicyDocumentSource,
  type PolicyInput,
  type PolicyKind,
  type PolicySetInput,
  type ResourcePolicyInput,
  type StatementRef,
} from '../policy/index.js';
import { parsePolicyDocument } from '../policy/parse.js';
import { actionMatches, resourceMatches } from '../policy/match.js';
import { principalMatches } from '../policy/elements/principal-match.js';
import type { Statement } from '../policy/document.js';

export interface AllowingStatement {
  readonly policyName: string;
  readonly policyType?: 'System' | 'Custom';
  /** user, group:<name>, role:<name>, control:<node>, or bucket (a bucket policy, named by its bucket). */
  readonly attachedTo?: string;
  readonly statement: number;
  readonly sid?: string;
  /** The statement's conditions, one line each ("IpAddress acs:SourceIp 192.0.2.0/24"). */
  readonly conditions: readonly string[];
}

export interface AccessEntry {
  readonly principalType: 'RAMUser' | 'Role';
  readonly name: string;
  readonly arn: string;
  readonly access: 'Allowed' | 'Conditional';
  readonly allowedBy: readonly AllowingStatement[];
  /** Conditions of Deny statements that would refuse the request when they hold. */
  readonly deniedWhen: readonly string[];
  /** For a role: who can assume it (users and roles of the account), each as a path. */
  readonly assumableBy?: readonly AssumePath[];
}

export interface AssumePath {
  /** From the principal to the role, e.g. ["user/alice", "role/admin"]. */
  readonly path: readonly string[];
  readonly access: 'Allowed' | 'Conditional';
}

interface Subject {
  readonly type: 'RAMUser' | 'Role';
  readonly name: string;
  readonly arn: string;
  readonly principal: Principal;
  readonly set: PolicySetInput;
  /** A role's trust policy. */
  readonly trustPolicy?: string;
}

async function listAll<T>(
  read: (marker?: string) => Promise<{ items: readonly T[]; isTruncated: boolean; marker?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await read(marker);
    out.push(...page.items);
    if (!page.isTruncated || !page.marker) return out;
    marker = page.marker;
  }
}

/** The users and roles of an account with the policy sets the engine decides them on. */
export async function loadSubjects(services: Services, accountId: string): Promise<Subject[]> {
  const { domain, policies } = services;
  const path = (await policies.controlPath?.(accountId)) ?? { inManagementAccount: false };
  const control = path.levels && path.levels.length > 0 ? { control: path.levels } : {};
  const users = await listAll((marker) =>
    domain.users.list(accountId, { maxItems: 1000, ...(marker ? { marker } : {}) }),
  );
  const roles = await listAll((marker) =>
    domain.roles.list(accountId, { maxItems: 1000, ...(marker ? { marker } : {}) }),
  );
  const out: Subject[] = [];
  for (const u of users) {
    const principal: Principal = { type: 'RAMUser', accountId, userId: u.userId, userName: u.userName };
    out.push({
      type: 'RAMUser',
      name: u.userName,
      arn: userArn(accountId, u.userName),
      principal,
      set: { identity: await policies.identityPolicies(principal), ...control },
    });
  }
  for (const r of roles) {
    const principal: Principal = {
      type: 'AssumedRole',
      accountId,
      roleId: r.roleId,
      roleName: r.roleName,
      sessionName: 'analysis',
      accessKeyId: '',
    };
    out.push({
      type: 'Role',
      name: r.roleName,
      arn: roleArn(accountId, r.roleName),
      principal,
      set: { identity: await policies.identityPolicies(principal), ...control },
      trustPolicy: r.assumeRolePolicyDocument,
    });
  }
  return out;
}

function describeConditions(s: Statement): string[] {
  return s.conditions.map((c) => `${c.operator} ${c.key} ${c.values.map(String).join(' | ')}`);
}

interface ConditionalDeny {
  readonly policy: PolicyInput;
  readonly statement: Statement;
  /** Of a control policy (the management account's). */
  readonly control: boolean;
  /** Of the resource policy (a trust or bucket policy): its Principal must name the caller. */
  readonly resourceBased: boolean;
}

interface Relaxed {
  readonly set: PolicySetInput;
  readonly resource: ResourcePolicyInput | undefined;
  /** Deny statements set aside, by policy input, for the "denied when" list. */
  readonly conditionalDenies: readonly ConditionalDeny[];
}

const documentOf = (p: { readonly document: string | object }) =>
  parsePolicyDocument(p.document, 'permission').document;

const kindOf = (r: ResourcePolicyInput): PolicyKind => (r.kind === 'trust-policy' ? 'trust' : 'oss-bucket');

/**
 * A document with every Allow statement's conditions taken as met and every Deny statement that
 * has conditions made unable to match (statement positions unchanged). A statement is read as
 * the engine reads it: one without conditions (no Condition, or `{}`) is kept as written, and so
 * is one that can never match (a broken statement, or a clause the engine cannot evaluate, such
 * as an unknown operator: it never holds, so the statement neither allows nor denies).
 */
function relaxDocument(
  source: PolicyDocumentSource,
  kind: PolicyKind,
  onDeny: (s: Statement) => void,
): PolicyDocumentSource {
  let raw: unknown = source;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      return source; // Unreadable: the engine reads it as matching nothing, relaxed or not.
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return source;
  const doc = raw as { Statement?: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const parsed = parsePolicyDocument(source, kind).document;
  const statements = list.map((s: unknown, i: number) => {
    const ps = parsed.statements[i];
    if (!s || typeof s !== 'object' || !ps || ps.broken !== undefined) return s;
    if (ps.conditions.length === 0) return s;
    if (ps.conditions.some((c) => c.problem !== undefined || !c.parsed)) return s;
    const st = s as Record<string, unknown>;
    if (ps.effect === 'Deny') {
      onDeny(ps);
      // A condition on a key no request carries: this Deny never matches here.
      return { ...st, Condition: { Bool: { 'rampart:analysis-never': 'true' } } };
    }
    const { Condition: _dropped, ...rest } = st;
    void _dropped;
    return rest;
  });
  return { ...(doc as object), Statement: statements };
}

/**
 * The same policy set, and resource policy (a role's trust policy, a bucket policy), with every
 * Allow statement's conditions taken as met and every Deny statement that has conditions set
 * aside.
 */
function relax(set: PolicySetInput, resource: ResourcePolicyInput | undefined): Relaxed {
  const conditionalDenies: ConditionalDeny[] = [];
  const relaxDoc = (p: PolicyInput, control = false): PolicyInput => ({
    ...p,
    document: relaxDocument(p.document, 'permission', (statement) =>
      conditionalDenies.push({ policy: p, statement, control, resourceBased: false }),
    ),
  });
  const relaxedResource: ResourcePolicyInput | undefined = resource
    ? {
        ...resource,
        document: relaxDocument(resource.document, kindOf(resource), (statement) =>
          conditionalDenies.push({
            policy: { name: resource.name ?? '', document: resource.document },
            statement,
            control: false,
            resourceBased: true,
          }),
        ),
      }
    : undefined;
  return {
    set: {
      ...set,
      identity: set.identity.map((p) => relaxDoc(p)),
      ...(set.control
        ? { control: set.control.map((l) => ({ ...l, policies: l.policies.map((p) => relaxDoc(p, true)) })) }
        : {}),
    },
    resource: relaxedResource,
    conditionalDenies,
  };
}

function statementOf(
  set: PolicySetInput,
  ref: StatementRef,
): { input: PolicyInput; statement: Statement } | undefined {
  const r = set.resource;
  const input =
    ref.layer === 'control'
      ? set.control?.[ref.level ?? 0]?.policies[ref.policy]
      : ref.layer === 'identity'
        ? set.identity[ref.policy]
        : (ref.layer === 'resource' || ref.layer === 'trust') && r
          ? {
              name: r.name ?? '',
              document: r.document,
              attachedTo: r.kind === 'trust-policy' ? 'trust' : 'bucket',
            }
          : undefined;
  if (!input) return undefined;
  const kind = ref.layer === 'resource' ? 'oss-bucket' : ref.layer === 'trust' ? 'trust' : 'permission';
  const statement = parsePolicyDocument(input.document, kind).document.statements[ref.statement];
  return statement ? { input, statement } : undefined;
}

export interface Decided {
  readonly access: 'Allowed' | 'Conditional';
  readonly allowedBy: readonly AllowingStatement[];
  readonly deniedWhen: readonly string[];
}

/**
 * Whether a policy set allows an action on a resource, outright or under conditions. The
 * resource policy (a role's trust policy, a bucket policy) is relaxed like the principal's own
 * policies. With `alsoAs` (a role's ARN in its stored case), both spellings of the resource are
 * decided, as the server decides sts:AssumeRole: an explicit Deny of either refuses, an Allow of
 * either grants.
 */
export function decideAccess(
  set: PolicySetInput,
  principal: Principal,
  action: string,
  resource: string,
  resourcePolicy?: ResourcePolicyInput,
  alsoAs?: string,
): Decided | undefined {
  const caller = requestPrincipal(principal);
  const resources = alsoAs !== undefined && alsoAs !== resource ? [resource, alsoAs] : [resource];
  const decide = (s: PolicySetInput, r: ResourcePolicyInput | undefined): Decision => {
    const input = r ? { ...s, resource: r } : s;
    const decisions = resources.map((on) => {
      const request: AuthorizationRequest = {
        principal: caller,
        action,
        resource: on,
        ...(r ? { resourceOwnerAccountId: r.ownerAccountId } : {}),
        context: {},
      };
      return evaluate(input, request);
    });
    return (
      decisions.find((d) => d.decision === 'ExplicitDeny') ??
      decisions.find((d) => d.decision === 'Allow') ??
      (decisions[0] as Decision)
    );
  };
  const strict = decide(set, resourcePolicy);
  const relaxed = relax(set, resourcePolicy);
  const loose = strict.decision === 'Allow' ? strict : decide(relaxed.set, relaxed.resource);
  if (loose.decision !== 'Allow') return undefined;
  const withResource = resourcePolicy ? { ...set, resource: resourcePolicy } : set;
  // Another account's trust or bucket policy is that account's: which of its statements grants or
  // denies is named, its Sids and conditions are not shown (as the authorization point hides it).
  const foreign = resourcePolicy !== undefined && resourcePolicy.ownerAccountId !== principal.accountId;
  const foreignKind = resourcePolicy?.kind === 'trust-policy' ? 'trust policy' : 'bucket policy';
  const hidden = (s: Statement) =>
    s.conditions.length === 0 ? [] : [`conditions of another account's ${foreignKind}, not shown`];
  const allowedBy: AllowingStatement[] = [];
  for (const ref of loose.decidedBy) {
    const found = statementOf(withResource, ref);
    if (!found) continue;
    if (foreign && (ref.layer === 'resource' || ref.layer === 'trust')) {
      allowedBy.push({
        policyName: found.input.name,
        ...(found.input.attachedTo ? { attachedTo: found.input.attachedTo } : {}),
        statement: ref.statement,
        conditions: hidden(found.statement),
      });
      continue;
    }
    allowedBy.push({
      policyName: found.input.name,
      ...(found.input.type ? { policyType: found.input.type } : {}),
      ...(ref.layer === 'control'
        ? { attachedTo: `control:${set.control?.[ref.level ?? 0]?.node ?? ''}` }
        : found.input.attachedTo
          ? { attachedTo: found.input.attachedTo }
          : {}),
      statement: ref.statement,
      ...(found.statement.sid ? { sid: found.statement.sid } : {}),
      conditions: describeConditions(found.statement),
    });
  }
  const deniedWhen = relaxed.conditionalDenies
    .filter(
      ({ statement, resourceBased }) =>
        actionMatches(statement, action) &&
        resources.some((r) => resourceMatches(statement, r)) &&
        (!resourceBased ||
          (statement.principal !== undefined && principalMatches(statement.principal, caller))),
    )
    .flatMap(({ policy, statement, control, resourceBased }) =>
      // A control policy is the management account's: named with its node, its conditions (the
      // exemptions of a guardrail) not shown, as in a refusal's diagnostic (authorize.ts).
      control
        ? [
            `conditions of control policy ${JSON.stringify(policy.name)} (control:${policy.attachedTo ?? ''}), not shown`,
          ]
        : resourceBased && foreign
          ? hidden(statement)
          : describeConditions(statement),
    );
  return {
    access: strict.decision === 'Allow' ? 'Allowed' : 'Conditional',
    allowedBy,
    deniedWhen: [...new Set(deniedWhen)],
  };
}

const OSS_ARN = /^acs:oss:[^:]*:[^:]*:([^/]+)/;

interface Target {
  /** The ARN the engine decides on, and the role's ARN in its stored case. */
  readonly resource: string;
  readonly alsoAs?: string;
  readonly policy?: ResourcePolicyInput;
}

/**
 * What a decision on `resource` is made on, as the server makes it: on an OSS bucket or object,
 * the bucket's policy as the resource policy; for sts:AssumeRole on a role, the role as the
 * AssumeRole step resolves it (trustTarget: its ARN from the stored name, in both spellings, with
 * its trust policy; a role that does not exist has none, so nothing trusts anyone).
 */
async function targetOf(services: Services, action: string, resource: string): Promise<Target> {
  const role = assumedRoleRef(action, resource);
  if (role) {
    const t = await trustTarget({ action, resource: role, trustPolicy: true }, role, services.roles);
    return {
      resource: t.resource,
      ...(t.alsoAs !== undefined ? { alsoAs: t.alsoAs } : {}),
      ...(t.resourcePolicy ? { policy: t.resourcePolicy } : {}),
    };
  }
  const name = OSS_ARN.exec(resource)?.[1];
  if (!name || !services.buckets || name.includes('*') || name.includes('?')) return { resource };
  const b = await services.buckets.find(name);
  if (!b?.policy) return { resource };
  return {
    resource,
    policy: { kind: 'oss-bucket-policy', name: b.name, ownerAccountId: b.accountId, document: b.policy },
  };
}

/**
 * Every user and role of the account allowed `action` on `resource`, with the roles' assume
 * paths. On an OSS bucket or object, the bucket's policy joins the decision as the engine's
 * resource policy; for sts:AssumeRole on a role, the role's trust policy.
 */
export async function whoCan(
  services: Services,
  accountId: string,
  action: string,
  resource: string,
): Promise<AccessEntry[]> {
  const subjects = await loadSubjects(services, accountId);
  const target = await targetOf(services, action, resource);
  const out: AccessEntry[] = [];
  for (const s of subjects) {
    const d = decideAccess(s.set, s.principal, action, target.resource, target.policy, target.alsoAs);
    if (!d) continue;
    out.push({
      principalType: s.type,
      name: s.name,
      arn: s.arn,
      ...d,
      ...(s.type === 'Role' ? { assumableBy: assumePaths(subjects, s, accountId) } : {}),
    });
  }
  return out;
}

/** Who in the account can assume a role: users directly, roles directly, one hop of chaining. */
export function assumePaths(subjects: readonly Subject[], role: Subject, accountId: string): AssumePath[] {
  const direct = (target: Subject): { from: Subject; access: 'Allowed' | 'Conditional' }[] => {
    const trust = target.trustPolicy;
    if (!trust) return [];
    const found: { from: Subject; access: 'Allowed' | 'Conditional' }[] = [];
    for (const s of subjects) {
      if (s === target) continue;
      const d = decideAccess(
        s.set,
        s.principal,
        'sts:AssumeRole',
        target.arn,
        { kind: 'trust-policy', name: target.name, ownerAccountId: accountId, document: trust },
        roleArnAsStored(accountId, target.name),
      );
      if (d) found.push({ from: s, access: d.access });
    }
    return found;
  };
  const label = (s: Subject) => `${s.type === 'Role' ? 'role' : 'user'}/${s.name}`;
  const paths: AssumePath[] = [];
  for (const first of direct(role)) {
    paths.push({ path: [label(first.from), label(role)], access: first.access });
    if (first.from.type !== 'Role') continue;
    for (const second of direct(first.from)) {
      if (second.from === role) continue;
      paths.push({
        path: [label(second.from), label(first.from), label(role)],
        access: second.access === 'Allowed' && first.access === 'Allowed' ? 'Allowed' : 'Conditional',
      });
    }
  }
  return paths;
}

export interface ServiceSummary {
  /** The service code (`oss`, `ram`), `*` for statements whose Action is "*", `NOT` for NotAction. */
  readonly service: string;
  readonly allow: readonly GrantLine[];
  readonly deny: readonly GrantLine[];
}

export interface GrantLine {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly string[];
  readonly policyName: string;
  readonly attachedTo?: string;
  readonly statement: number;
}

export interface PrincipalAccess {
  readonly principalType: 'RAMUser' | 'Role';
  readonly name: string;
  readonly arn: string;
  readonly services: readonly ServiceSummary[];
  /** Roles of the account this principal can assume (directly or through one other role). */
  readonly assumableRoles: readonly AssumePath[];
}

/** Everything a user or a role can do, by service, from its stored policies. */
export async function whatCan(
  services: Services,
  accountId: string,
  principalType: 'RAMUser' | 'Role',
  name: string,
): Promise<PrincipalAccess | undefined> {
  const subjects = await loadSubjects(services, accountId);
  const me = subjects.find((s) => s.type === principalType && s.name.toLowerCase() === name.toLowerCase());
  if (!me) return undefined;
  const byService = new Map<string, { allow: GrantLine[]; deny: GrantLine[] }>();
  for (const p of me.set.identity) {
    for (const s of documentOf(p).statements) {
      if (!s.action || s.broken !== undefined) continue;
      const line: GrantLine = {
        actions: s.action.patterns.map((a) => (s.action!.negated ? `NOT ${a}` : a)),
        resources: s.resource
          ? s.resource.patterns.map((r) => (s.resource!.negated ? `NOT ${r}` : r))
          : ['*'],
        conditions: describeConditions(s),
        policyName: p.name,
        ...(p.attachedTo ? { attachedTo: p.attachedTo } : {}),
        statement: s.index,
      };
      const keys = s.action.negated
        ? ['NOT']
        : [
            ...new Set(
              s.action.patterns.map((a) => (a === '*' ? '*' : a.slice(0, a.indexOf(':')).toLowerCase())),
            ),
          ];
      for (const k of keys) {
        let entry = byService.get(k);
        if (!entry) byService.set(k, (entry = { allow: [], deny: [] }));
        (s.effect === 'Allow' ? entry.allow : entry.deny).push(line);
      }
    }
  }
  const label = me.type === 'Role' ? `role/${me.name}` : `user/${me.name}`;
  const assumableRoles = subjects
    .filter((s) => s.type === 'Role' && s !== me)
    .flatMap((role) => assumePaths(subjects, role, accountId))
    .filter((p) => p.path[0] === label);
  return {
    principalType: me.type,
    name: me.name,
    arn: me.arn,
    services: [...byService.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([service, v]) => ({ service, ...v })),
    assumableRoles,
  };
}
