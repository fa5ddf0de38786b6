import { performance } from 'node:perf_hooks';
import type { Principal } from '../auth/principal.js';
import type { Sealer } from '../crypto/seal.js';
import type { PolicyInput } from '../policy/request.js';
import type { Services, SessionPrincipal, SigningKey, TrustedRole } from './request-services.js';
import { nameKey } from './common.js';
import { createTokenReader, type SessionClaims } from '../auth/sts-token.js';
import { hotQuery, type NonceClaim, type Store } from '../store/index.js';
import { checkNonce } from '../auth/freshness.js';
import type { Domain } from './index.js';
import { accessKeySealContext } from './access-keys.js';
import { createEntityNames, isEntityName } from './names.js';
import { loadPolicyEngine, type PolicyEngine } from './policy-engine.js';

export interface CreateServicesOptions {
  /** The policy language; defaults to src/policy. */
  readonly policyEngine?: PolicyEngine;
  readonly clock?: () => Date;
}

/**
 * The AccessKey of a signed request, its owner's name and the account's permissions version,
 * in one read: the version lets authorization skip a read of its own.
 */
const SIGNING_KEY = hotQuery(
  'signing_key',
  `select k.account_id, k.user_id, k.secret_sealed, k.status, u.user_name, a.permissions_version
     from access_keys k
     join accounts a on a.account_id = k.account_id
     left join users u on u.account_id = k.account_id and u.user_id = k.user_id
    where k.access_key_id = ?`,
);

interface SigningKeyRow {
  readonly account_id: string;
  readonly user_id: string | null;
  readonly secret_sealed: string;
  readonly status: string;
  readonly user_name: string | null;
  readonly permissions_version: number | string;
}

/** The role of a role session, by id (a role deleted and created again has a new id), and the version. */
const SESSION_ROLE = hotQuery(
  'session_role',
  `select r.role_name as name, a.permissions_version
     from roles r
     join accounts a on a.account_id = r.account_id
    where r.account_id = ? and r.role_id = ?`,
);

/** The user of a logon session's credentials, by id, and the version. */
const SESSION_USER = hotQuery(
  'session_user',
  `select u.user_name as name, a.permissions_version
     from users u
     join accounts a on a.account_id = u.account_id
    where u.account_id = ? and u.user_id = ?`,
);

const SESSION_ROOT = hotQuery(
  'session_root',
  'select account_id as name, permissions_version from accounts where account_id = ?',
);

/** A role and its trust policy, by name key (sts:AssumeRole). */
const TRUSTED_ROLE = hotQuery(
  'trusted_role',
  `select role_id, role_name, max_session_duration, trust_policy
     from roles
    where account_id = ? and name_key = ?`,
);

interface TrustedRoleRow {
  readonly role_id: string;
  readonly role_name: string;
  readonly max_session_duration: number | string;
  readonly trust_policy: string;
}

/** Whether the workload binding behind temporary credentials still exists. */
const WORKLOAD = hotQuery(
  'workload',
  'select workload_id as name from workload_identities where workload_id = ?',
);

/**
 * The console session behind logon credentials: alive while its row is there, unexpired, and
 * (for a RAM user) its login profile is Active.
 */
const LOGON_SESSION = hotQuery(
  'logon_session',
  `select s.expires_at
     from logon_sessions s
     left join login_profiles p on p.account_id = s.account_id and p.user_id = s.user_id
    where s.session_hash = ? and (s.principal_type in ('Root', 'AssumedRole') or p.status = 'Active')`,
);

interface SessionRow {
  readonly name: string;
  readonly permissions_version: number | string;
}

/** Groups of nonce claims start at most this often (one commit each). */
const NONCE_GROUP_INTERVAL_MS = 1;

/** Expired nonces are purged at most this often per process. */
const NONCE_PURGE_INTERVAL_MS = 60_000;

/** The request-path services (credentials, nonces, policies) over the store and the domain. */
export function createServices(
  store: Store,
  domain: Domain,
  sealer: Sealer,
  opts: CreateServicesOptions = {},
): Services {
  const clock = opts.clock ?? (() => new Date());
  let engine: Promise<PolicyEngine> | undefined = opts.policyEngine
    ? Promise.resolve(opts.policyEngine)
    : undefined;
  const getEngine = () => (engine ??= loadPolicyEngine());
  let lastPurge = 0;

  /**
   * Keys read from rows the store hands out again: on SQLite a kept row is one frozen object for
   * as long as it is current (src/store/sqlite/row-cache.ts), so its key is made once, not per
   * request. A changed row is a new object, and so a new key. Keyed by the row and checked against
   * the AccessKeyId asked for, which the key carries as the caller wrote it.
   */
  const keysOfRows = new WeakMap<SigningKeyRow, SigningKey>();

  async function findSigningKey(accessKeyId: string): Promise<SigningKey | undefined> {
    const row = await store.first<SigningKeyRow>(SIGNING_KEY, [accessKeyId]);
    if (!row) return undefined;
    const known = keysOfRows.get(row);
    if (known?.accessKeyId === accessKeyId) return known;
    const key = signingKeyOf(row, accessKeyId);
    if (key && Object.isFrozen(row)) keysOfRows.set(row, key);
    return key;
  }

  function signingKeyOf(row: SigningKeyRow, accessKeyId: string): SigningKey | undefined {
    let principal: Principal;
    if (row.user_id === null) {
      principal = { type: 'Root', accountId: row.account_id, accessKeyId };
    } else {
      if (!row.user_name) return undefined; // the owner is gone
      principal = {
        type: 'RAMUser',
        accountId: row.account_id,
        userId: row.user_id,
        userName: row.user_name,
        accessKeyId,
      };
    }
    return Object.freeze({
      accessKeyId,
      secret: sealer.unsealText(row.secret_sealed, accessKeySealContext(accessKeyId)),
      status: row.status === 'Inactive' ? 'Inactive' : 'Active',
      principal: Object.freeze(principal),
      permissionsVersion: Number(row.permissions_version),
    });
  }

  async function findSessionPrincipal(c: SessionClaims): Promise<SessionPrincipal | undefined> {
    const accessKeyId = c.ak;
    let principal: Principal;
    let row: SessionRow | undefined;
    if (c.kind === 'role') {
      row = await store.first<SessionRow>(SESSION_ROLE, [c.acct, c.rid!]);
      if (!row) return undefined;
      principal = {
        type: 'AssumedRole',
        accountId: c.acct,
        roleId: c.rid!,
        roleName: row.name,
        sessionName: c.sn!,
        accessKeyId,
        ...(c.sp !== undefined ? { sessionPolicy: c.sp } : {}),
      };
    } else if (c.kind === 'user') {
      row = await store.first<SessionRow>(SESSION_USER, [c.acct, c.uid!]);
      if (!row) return undefined;
      principal = { type: 'RAMUser', accountId: c.acct, userId: c.uid!, userName: row.name, accessKeyId };
    } else {
      row = await store.first<SessionRow>(SESSION_ROOT, [c.acct]);
      if (!row) return undefined;
      principal = { type: 'Root', accountId: c.acct, accessKeyId };
    }
    if (c.wl !== undefined) {
      if (!(await store.first(WORKLOAD, [c.wl]))) return undefined;
      principal = { ...principal, workload: c.wl };
    }
    if (c.ls !== undefined) {
      const s = await store.first<{ expires_at: string }>(LOGON_SESSION, [c.ls]);
      if (!s || Date.parse(s.expires_at) <= clock().getTime()) return undefined;
      principal = { ...principal, logonSession: c.ls };
    }
    return { principal, permissionsVersion: Number(row.permissions_version) };
  }

  async function findRole(accountId: string, roleName: string): Promise<TrustedRole | undefined> {
    // A name outside the role name rule names no role (and never reaches the store).
    if (!isEntityName('role', roleName)) return undefined;
    const row = await store.first<TrustedRoleRow>(TRUSTED_ROLE, [accountId, nameKey(roleName)]);
    return row
      ? {
          accountId,
          roleId: row.role_id,
          roleName: row.role_name,
          maxSessionDuration: Number(row.max_session_duration),
          trustPolicy: row.trust_policy,
        }
      : undefined;
  }

  interface PendingClaim {
    readonly accessKeyId: string;
    readonly nonce: string;
    readonly expiresAt: Date;
    readonly resolve: (claimed: boolean) => void;
    readonly reject: (err: unknown) => void;
  }
  let pending: PendingClaim[] | undefined;

  /** Whether a group is being written; claims arriving meanwhile wait for the next group. */
  let flushing = false;
  let flushScheduled = false;
  let lastFlushStart = -Infinity;
  let lastGroupSize = 0;

  /**
   * Claims are grouped (group commit): each resolves only once the commit holding it is
   * done. One group is written at a time and, while requests arrive together, groups start
   * at most once per NONCE_GROUP_INTERVAL_MS, so the claims of that interval share one commit;
   * a lone request is written on the next turn.
   */
  function claim(accessKeyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    // Checked before queuing, so that a nonce the store cannot hold never joins a group.
    try {
      checkNonce(nonce);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      (pending ??= []).push({ accessKeyId, nonce, expiresAt, resolve, reject });
      scheduleFlush();
    });
  }

  function scheduleFlush(): void {
    if (flushScheduled || flushing || !pending) return;
    flushScheduled = true;
    const run = () => {
      flushScheduled = false;
      flushing = true;
      lastFlushStart = performance.now();
      void flushClaims().finally(() => {
        flushing = false;
        scheduleFlush();
      });
    };
    // Requests one at a time are written at once; only concurrent ones wait to share a group.
    const wait = lastGroupSize > 1 ? lastFlushStart + NONCE_GROUP_INTERVAL_MS - performance.now() : 0;
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  /**
   * Writes the group through the store in one commit. A claim the database refuses fails
   * alone; the others get their answers. The same key and nonce twice in one group (a replay
   * sent at the same moment) is written once: the first claim decides, the rest are replays.
   */
  async function flushClaims(): Promise<void> {
    const batch = pending ?? [];
    pending = undefined;
    lastGroupSize = batch.length;
    const now = clock();
    const purge = now.getTime() - lastPurge > NONCE_PURGE_INTERVAL_MS;
    if (purge) lastPurge = now.getTime();
    const first = new Map<string, number>();
    const unique: NonceClaim[] = [];
    const slot = batch.map((c) => {
      const k = `${c.accessKeyId}\u0000${c.nonce}`;
      const seen = first.get(k);
      if (seen !== undefined) return -1;
      first.set(k, unique.length);
      unique.push({ accessKeyId: c.accessKeyId, nonce: c.nonce, expiresAt: c.expiresAt.toISOString() });
      return unique.length - 1;
    });
    let results: (boolean | Error)[];
    try {
      results = await store.claimNonces(unique, now.toISOString(), purge);
    } catch (err) {
      for (const c of batch) c.reject(err);
      return;
    }
    batch.forEach((c, i) => {
      const r = slot[i]! < 0 ? false : results[slot[i]!];
      if (r instanceof Error) c.reject(r);
      else c.resolve(r ?? false);
    });
  }

  /** The default-version documents of the policies attached to one principal. */
  async function attached(
    accountId: string,
    principalType: 'user' | 'group' | 'role',
    principalIds: readonly string[],
    attachedTo: (principalId: string) => string,
  ): Promise<PolicyInput[]> {
    if (principalIds.length === 0) return [];
    const rows = await store.db
      .selectFrom('attachments')
      .leftJoin('policies', (j) =>
        j
          .onRef('policies.account_id', '=', 'attachments.account_id')
          .onRef('policies.name_key', '=', 'attachments.policy_key')
          .on('attachments.policy_type', '=', 'Custom'),
      )
      .leftJoin('policy_versions', (j) =>
        j
          .onRef('policy_versions.account_id', '=', 'policies.account_id')
          .onRef('policy_versions.policy_id', '=', 'policies.policy_id')
          .onRef('policy_versions.version_num', '=', 'policies.default_version'),
      )
      .select([
        'attachments.principal_id',
        'attachments.policy_type',
        'attachments.policy_key',
        'policies.policy_name',
        'policies.default_version',
        'policy_versions.document',
      ])
      .where('attachments.account_id', '=', accountId)
      .where('attachments.principal_type', '=', principalType)
      .where('attachments.principal_id', 'in', [...principalIds])
      .orderBy('attachments.attach_date')
      .orderBy('attachments.policy_key')
      .execute();
    const out: PolicyInput[] = [];
    let system: Map<string, { name: string; version: string; document: string }> | undefined;
    for (const r of rows) {
      if (r.policy_type === 'System') {
        system ??= new Map((await getEngine()).systemPolicies().map((p) => [nameKey(p.name), p]));
        const p = system.get(r.policy_key);
        if (!p) continue;
        out.push({
          name: p.name,
          type: 'System',
          version: p.version,
          attachedTo: attachedTo(r.principal_id),
          document: p.document,
        });
      } else if (r.policy_name && r.document !== null) {
        out.push({
          name: r.policy_name,
          type: 'Custom',
          version: `v${r.default_version}`,
          attachedTo: attachedTo(r.principal_id),
          document: r.document,
        });
      }
    }
    return out;
  }

  async function identityPolicies(principal: Principal): Promise<readonly PolicyInput[]> {
    const accountId = principal.accountId;
    switch (principal.type) {
      case 'Anonymous':
      case 'Root':
        return [];
      case 'RAMUser': {
        const own = await attached(accountId, 'user', [principal.userId], () => 'user');
        const groups = await store.db
          .selectFrom('group_members')
          .innerJoin('user_groups', (j) =>
            j
              .onRef('user_groups.account_id', '=', 'group_members.account_id')
              .onRef('user_groups.group_id', '=', 'group_members.group_id'),
          )
          .select(['user_groups.group_id', 'user_groups.group_name'])
          .where('group_members.account_id', '=', accountId)
          .where('group_members.user_id', '=', principal.userId)
          .orderBy('user_groups.name_key')
          .execute();
        const names = new Map(groups.map((g) => [g.group_id, g.group_name]));
        const viaGroups = await attached(
          accountId,
          'group',
          groups.map((g) => g.group_id),
          (id) => `group:${names.get(id) ?? id}`,
        );
        return [...own, ...viaGroups];
      }
      case 'AssumedRole': {
        // A role that was deleted (and perhaps re-created) keeps no policies for old sessions.
        const role = await store.db
          .selectFrom('roles')
          .select(['role_id', 'role_name'])
          .where('account_id', '=', accountId)
          .where('role_id', '=', principal.roleId)
          .executeTakeFirst();
        if (!role) return [];
        return attached(accountId, 'role', [role.role_id], () => `role:${role.role_name}`);
      }
    }
  }

  return {
    credentials: { findSigningKey, findSessionPrincipal },
    nonces: { claim },
    tokens: createTokenReader(sealer),
    policies: {
      identityPolicies,
      permissionsVersion: (accountId) => domain.accounts.permissionsVersion(accountId),
      controlPath: (accountId) => domain.resourceDirectory.controlPath(accountId),
    },
    names: createEntityNames({ store, engine: getEngine }),
    roles: { findRole },
    sealer,
    domain,
  };
}
