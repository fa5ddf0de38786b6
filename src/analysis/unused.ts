/**
 * Unused access, read from the audit trail and the store: users and AccessKeys not used for N
 * days, console users without MFA, the Allow patterns of each principal that no call of the
 * last N days matched; and a least-privilege policy built from the calls a principal made.
 */
import type { Services } from '../domain/request-services.js';
import { parsePolicyDocument } from '../policy/parse.js';
import { globMatch } from '../policy/glob.js';
import { loadSubjects } from './access.js';

/** One successful call of the trail, as the engine decided it. */
export interface UsedCall {
  readonly principalType: 'RAMUser' | 'Role';
  readonly principalName: string;
  /** e.g. ram:CreateUser */
  readonly action: string;
  /** The ARN the call was authorized on. */
  readonly resource: string;
  readonly time: string;
}

export interface UnusedPattern {
  readonly policyName: string;
  readonly attachedTo?: string;
  readonly statement: number;
  /** The Action pattern (or `NOT <pattern>` for NotAction) no call matched. */
  readonly action: string;
}

export interface UnusedReport {
  readonly days: number;
  readonly since: string;
  /** Users with no console logon, no AccessKey use and no call since `since`. */
  readonly users: readonly { readonly userName: string; readonly lastActivity?: string }[];
  readonly accessKeys: readonly {
    readonly userName: string;
    readonly accessKeyId: string;
    readonly status: 'Active' | 'Inactive';
    readonly lastUsed?: string;
  }[];
  /** Users with a console password, no MFA device bound and no security key. */
  readonly consoleUsersWithoutMfa: readonly string[];
  /** Per user and role: the Allow action patterns no call since `since` matched. */
  readonly principals: readonly {
    readonly principalType: 'RAMUser' | 'Role';
    readonly name: string;
    readonly unused: readonly UnusedPattern[];
    /** Services granted by an Allow pattern but never called. */
    readonly unusedServices: readonly string[];
  }[];
}

const later = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a > b ? a : b);

function serviceOf(pattern: string): string {
  const colon = pattern.indexOf(':');
  return colon < 0 ? pattern : pattern.slice(0, colon).toLowerCase();
}

export async function unusedAccess(
  services: Services,
  accountId: string,
  calls: readonly UsedCall[],
  opts: { readonly days: number; readonly now: Date },
): Promise<UnusedReport> {
  const since = new Date(opts.now.getTime() - opts.days * 86_400_000).toISOString();
  const recent = calls.filter((c) => c.time >= since);
  const { domain } = services;
  const subjects = await loadSubjects(services, accountId);
  const users: { userName: string; lastActivity?: string }[] = [];
  const accessKeys: UnusedReport['accessKeys'][number][] = [];
  const consoleUsersWithoutMfa: string[] = [];
  for (const s of subjects) {
    if (s.type !== 'RAMUser') continue;
    const user = await domain.users.get(accountId, s.name);
    let last = user.lastLoginDate;
    for (const key of await domain.accessKeys.list(accountId, s.name)) {
      const used = (await domain.accessKeys.getLastUsed(accountId, s.name, key.accessKeyId)).lastUsedDate;
      last = later(last, used);
      if ((!used || used < since) && key.createDate < since)
        accessKeys.push({
          userName: s.name,
          accessKeyId: key.accessKeyId,
          status: key.status,
          ...(used ? { lastUsed: used } : {}),
        });
    }
    for (const c of calls)
      if (c.principalType === 'RAMUser' && c.principalName === s.name) last = later(last, c.time);
    if ((!last || last < since) && user.createDate < since)
      users.push({ userName: s.name, ...(last ? { lastActivity: last } : {}) });
    const hasPassword = await domain.loginProfiles.get(accountId, s.name).then(
      () => true,
      () => false,
    );
    // A security key answers the MFA step like a bound device.
    if (
      hasPassword &&
      !(await domain.mfa.hasMfa(accountId, { kind: 'user', userId: user.userId })) &&
      !(await domain.webauthn.has({ accountId, userId: user.userId }))
    )
      consoleUsersWithoutMfa.push(s.name);
  }
  const principals: UnusedReport['principals'][number][] = [];
  for (const s of subjects) {
    const mine = recent.filter((c) => c.principalType === s.type && c.principalName === s.name);
    const unused: UnusedPattern[] = [];
    const granted = new Set<string>();
    const called = new Set(mine.map((c) => serviceOf(c.action)));
    for (const p of s.set.identity) {
      const doc = parsePolicyDocument(p.document, 'permission').document;
      for (const st of doc.statements) {
        if (st.effect !== 'Allow' || !st.action) continue;
        for (const pattern of st.action.patterns) {
          const lower = pattern.toLowerCase();
          if (!st.action.negated) granted.add(serviceOf(pattern));
          const hit = mine.some((c) => globMatch(lower, c.action.toLowerCase()) !== st.action!.negated);
          if (!hit)
            unused.push({
              policyName: p.name,
              ...(p.attachedTo ? { attachedTo: p.attachedTo } : {}),
              statement: st.index,
              action: st.action.negated ? `NOT ${pattern}` : pattern,
            });
        }
      }
    }
    principals.push({
      principalType: s.type,
      name: s.name,
      unused,
      unusedServices: [...granted].filter((svc) => svc !== '*' && !called.has(svc)).sort(),
    });
  }
  return { days: opts.days, since, users, accessKeys, consoleUsersWithoutMfa, principals };
}

/**
 * A permission policy that allows exactly the (action, resource) pairs of the calls: one
 * statement per action, its resources listed as called. Every call of the trail is allowed;
 * any action not in it is not.
 */
export function generatePolicy(calls: readonly UsedCall[]): {
  Version: '1';
  Statement: { Effect: 'Allow'; Action: string[]; Resource: string[] }[];
} {
  const byAction = new Map<string, { action: string; resources: Set<string> }>();
  for (const c of calls) {
    const key = c.action.toLowerCase();
    let entry = byAction.get(key);
    if (!entry) byAction.set(key, (entry = { action: c.action, resources: new Set() }));
    entry.resources.add(c.resource);
  }
  // Actions called on the same set of resources share a statement.
  const byResources = new Map<string, { actions: string[]; resources: string[] }>();
  for (const { action, resources } of [...byAction.values()].sort((a, b) => (a.action < b.action ? -1 : 1))) {
    const list = [...resources].sort();
    const key = JSON.stringify(list);
    const group = byResources.get(key);
    if (group) group.actions.push(action);
    else byResources.set(key, { actions: [action], resources: list });
  }
  return {
    Version: '1',
    Statement: [...byResources.values()].map((g) => ({
      Effect: 'Allow' as const,
      Action: g.actions,
      Resource: g.resources,
    })),
  };
}
