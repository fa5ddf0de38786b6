import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../crypto/digest.js';
import type { RoleSessionPrincipal, SessionPrincipal, ResolvedSession, SessionsDomain } from './index.js';
import type { DomainContext } from './context.js';
import { isoSeconds } from './common.js';
import { readSecurityPreference } from './security-preference.js';

/** An opaque id: 32 random bytes, base64url (43 characters). */
const ID = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque id (session or step token) and the SHA-256 the store keeps instead. */
export function newOpaqueId(): { id: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { id, hash: sha256Hex(id) };
}

/** The stored hash of a presented id; undefined when it cannot be one of ours. */
export function hashOfOpaqueId(id: string): string | undefined {
  return ID.test(id) ? sha256Hex(id) : undefined;
}

/**
 * Console sessions: a row per session keyed by the SHA-256 of its opaque id, bound to the
 * root, a RAM user, or a role session of role-based SSO (ended when its role is deleted), for
 * the security preference's LoginSessionDuration. A session whose
 * user was deleted, whose login profile was deleted or disabled, or whose account is gone,
 * ends on its next use.
 */
export function createSessions(ctx: DomainContext): SessionsDomain {
  const { store } = ctx;
  return {
    async create(principal, opts) {
      const now = ctx.clock();
      const pref = await readSecurityPreference(store.db, principal.accountId);
      const byPreference = now.getTime() + pref.loginSessionDuration * 3_600_000;
      const expiresAt = new Date(
        opts.notAfter ? Math.min(byPreference, opts.notAfter.getTime()) : byPreference,
      );
      const { id, hash } = newOpaqueId();
      await store.transaction(async (tx) => {
        // Ended sessions and steps of every account go as new ones come (both tables are indexed by expiry).
        await tx.deleteFrom('logon_sessions').where('expires_at', '<=', now.toISOString()).execute();
        await tx.deleteFrom('logon_steps').where('expires_at', '<=', now.toISOString()).execute();
        // Failure counters whose window ended long ago (an hour: well past any window).
        await tx
          .deleteFrom('logon_throttle')
          .where('window_start', '<=', new Date(now.getTime() - 3_600_000).toISOString())
          .execute();
        await tx
          .insertInto('logon_sessions')
          .values({
            session_hash: hash,
            account_id: principal.accountId,
            principal_type: principal.type,
            user_id: principal.type === 'RAMUser' ? principal.userId : null,
            ...(principal.type === 'AssumedRole'
              ? {
                  role_id: principal.roleId,
                  role_session_name: principal.sessionName,
                  federated_by: principal.providerArn,
                }
              : {}),
            mfa_present: opts.mfaPresent ? 1 : 0,
            source_ip: opts.sourceIp,
            create_date: isoSeconds(now),
            expires_at: expiresAt.toISOString(),
          })
          .execute();
        if (principal.type === 'RAMUser') {
          // LastLoginDate of GetUser.
          await tx
            .updateTable('users')
            .set({ last_login_date: isoSeconds(now) })
            .where('account_id', '=', principal.accountId)
            .where('user_id', '=', principal.userId)
            .execute();
        }
      });
      return { sessionId: id, expiresAt };
    },

    async resolve(sessionId) {
      const hash = hashOfOpaqueId(sessionId);
      if (!hash) return undefined;
      const row = await store.db
        .selectFrom('logon_sessions')
        .selectAll()
        .where('session_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return undefined;
      const end = async (): Promise<undefined> => {
        await store.db.deleteFrom('logon_sessions').where('session_hash', '=', hash).execute();
        return undefined;
      };
      const expiresAt = new Date(row.expires_at);
      if (expiresAt.getTime() <= ctx.clock().getTime()) return end();
      let principal: SessionPrincipal | RoleSessionPrincipal;
      if (row.principal_type === 'AssumedRole' && row.role_id && row.role_session_name && row.federated_by) {
        // A role-based SSO session ends when its role is deleted.
        const role = await store.db
          .selectFrom('roles')
          .select(['role_id', 'role_name'])
          .where('account_id', '=', row.account_id)
          .where('role_id', '=', row.role_id)
          .executeTakeFirst();
        if (!role) return end();
        principal = {
          type: 'AssumedRole',
          accountId: row.account_id,
          roleId: role.role_id,
          roleName: role.role_name,
          sessionName: row.role_session_name,
          providerArn: row.federated_by,
        };
      } else if (row.principal_type === 'RAMUser' && row.user_id !== null) {
        const user = await store.db
          .selectFrom('users')
          .innerJoin('login_profiles', (j) =>
            j
              .onRef('login_profiles.account_id', '=', 'users.account_id')
              .onRef('login_profiles.user_id', '=', 'users.user_id'),
          )
          .select(['users.user_id', 'users.user_name', 'login_profiles.status'])
          .where('users.account_id', '=', row.account_id)
          .where('users.user_id', '=', row.user_id)
          .executeTakeFirst();
        if (!user || user.status !== 'Active') return end();
        principal = {
          type: 'RAMUser',
          accountId: row.account_id,
          userId: user.user_id,
          userName: user.user_name,
        };
      } else if (row.principal_type === 'Root') {
        const account = await store.db
          .selectFrom('accounts')
          .select('account_id')
          .where('account_id', '=', row.account_id)
          .executeTakeFirst();
        if (!account) return end();
        principal = { type: 'Root', accountId: row.account_id };
      } else {
        return end();
      }
      const resolved: ResolvedSession = {
        principal,
        mfaPresent: row.mfa_present === 1,
        expiresAt,
        sourceIp: row.source_ip,
      };
      return resolved;
    },

    async end(sessionId) {
      const hash = hashOfOpaqueId(sessionId);
      if (!hash) return false;
      const r = await store.db
        .deleteFrom('logon_sessions')
        .where('session_hash', '=', hash)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
