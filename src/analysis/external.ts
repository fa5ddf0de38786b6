/**
 * External access: which principals outside an account a role's trust policy or a bucket's
 * policy lets in. Each Allow statement's principals are read and classified: another account
 * (its id, or an ARN in it), anyone (`*`), a cloud service, or a federated identity provider;
 * the conditions that still apply are listed. Principals of the owning account are not listed.
 * Principals are read as the engine reads them (src/policy/elements/principal-match.ts): ARNs in
 * any case, role sessions as `arn:sts::<account>:...` in bucket policies, and a 16-digit id as an
 * account's or a RAM user's id.
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

/** A RAM ARN names its account; the engine compares principal ARNs ignoring case. */
const ACCOUNT_OF = /^acs:ram::([0-9]{16}):/i;
const ID = /^[0-9]{16}$/;

/**
 * The account a 16-digit id of a bucket policy belongs to. The engine reads such an entry as an
 * account id or a RAM user id (src/policy/elements/principal-match.ts): the id of one of the
 * owner's users names a principal of the owner, another account's user's id that account.
 */
export type PrincipalIds = ReadonlyMap<string, string>;

function conditionsOf(s: Statement): string[] {
  return s.conditions.map((c) => `${c.operator} ${c.key} ${c.values.map(String).join(' | ')}`);
}

function classify(
  value: string,
  owner: string,
  ids: PrincipalIds,
): Pick<ExternalGrant, 'kind' | 'accountId'> | undefined {
  if (value === '*') return { kind: 'Anyone' };
  const account = (id: string) => (id === owner ? undefined : { kind: 'Account' as const, accountId: id });
  if (ID.test(value)) return account(ids.get(value) ?? value);
  const m = ACCOUNT_OF.exec(value);
  if (m) return account(m[1] as string);
  if (value.toLowerCase().startsWith('arn:sts::')) {
    const rest = value.slice('arn:sts::'.length);
    const colon = rest.indexOf(':');
    const id = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0 && ID.test(id)) return account(id);
    // A pattern over the account (arn:sts::*:assumed-role/...): role sessions of any account.
    if (id.includes('*') || id.includes('?')) return { kind: 'Anyone' };
    return undefined; // No account has that id: it names no session.
  }
  // Anything else names no principal outside the owner.
  return undefined;
}

function grantsOf(
  resource: string,
  text: string,
  kind: PolicyKind,
  owner: string,
  ids: PrincipalIds = new Map(),
): ExternalGrant[] {
  const doc = parsePolicyDocument(text, kind).document;
  const out: ExternalGrant[] = [];
  for (const s of doc.statements) {
    if (s.effect !== 'Allow' || s.broken !== undefined || !s.principal) continue;
    const actions = s.action ? s.action.patterns.map((a) => (s.action!.negated ? `NOT ${a}` : a)) : [];
    const base = { resource, actions, statement: s.index, conditions: conditionsOf(s) };
    if (s.principal.form === 'list') {
      for (const v of s.principal.values) {
        const c = classify(v, owner, ids);
        if (c) out.push({ ...base, principal: v, ...c });
      }
      continue;
    }
    for (const entry of s.principal.entries) {
      for (const v of entry.values) {
        if (entry.type === 'Service') out.push({ ...base, principal: v, kind: 'Service' });
        else if (entry.type === 'Federated') out.push({ ...base, principal: v, kind: 'Federated' });
        else {
          const c = classify(v, owner, ids);
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

/**
 * Principals outside the account a bucket policy allows. `ids` gives the account of each 16-digit
 * id that is a RAM user's (principalIdsOf, resolvePrincipalIds); an id not in it is an account's.
 */
export function externalBucketAccess(
  accountId: string,
  buckets: readonly { readonly name: string; readonly policy: string | null }[],
  ids: PrincipalIds = new Map(),
): ExternalGrant[] {
  return buckets.flatMap((b) =>
    b.policy ? grantsOf(`bucket/${b.name}`, b.policy, 'oss-bucket', accountId, ids) : [],
  );
}

/** The 16-digit ids (account or RAM user ids) the bucket policies' Allow statements name. */
export function principalIdsOf(
  buckets: readonly { readonly name: string; readonly policy: string | null }[],
): string[] {
  const out = new Set<string>();
  for (const b of buckets) {
    if (!b.policy) continue;
    for (const s of parsePolicyDocument(b.policy, 'oss-bucket').document.statements) {
      if (s.effect !== 'Allow' || s.principal?.form !== 'list') continue;
      for (const v of s.principal.values) if (ID.test(v)) out.add(v);
    }
  }
  return [...out];
}

/** What resolvePrincipalIds reads: the owner's users by id. */
export interface IdDirectory {
  readonly users: { findById(accountId: string, userId: string): Promise<unknown> };
}

/**
 * The ids that are the owner's own RAM users' (mapped to the owner: not external). Every other id
 * stays as written, read as an account's id: it may also be a user of another account, which the
 * engine matches too, but whose account is not the owner's to learn, so no other account is read.
 */
export async function resolvePrincipalIds(
  directory: IdDirectory,
  owner: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    if (id !== owner && (await directory.users.findById(owner, id))) out.set(id, owner);
  }
  return out;
}
