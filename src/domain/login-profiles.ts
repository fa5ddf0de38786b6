import { constantTimeEqual } from '../crypto/constant-time.js';
import { hashPassword, verifyPassword } from '../crypto/password-hash.js';
import { outsideUnitOfWork, type Tx } from '../store/index.js';
import type { LoginProfile, LoginProfilesDomain, PasswordCheck } from './index.js';
import type { DomainContext } from './context.js';
import { invalid, lockAccount, nowIso, referencing, uniquely } from './common.js';
import { err } from './messages.js';
import { readPasswordPolicy, requireNotReused, requireStrongPassword } from './password-policy.js';
import { claimAttempt, clearAttempts, passwordStamp, spendPasswordCheck } from './logon-attempts.js';
import { lockUser, requireUser } from './rows.js';

/** Earlier hashes kept for PasswordReusePrevention (its maximum). */
const HISTORY_MAX = 24;

/**
 * How a guarded password check ended: the password was right (with the hash and history it
 * was checked against) or wrong; the profile is locked (nothing was checked); or the profile
 * is gone.
 */
type Attempt =
  | { readonly outcome: 'Right'; readonly hash: string; readonly history: string }
  | { readonly outcome: 'Wrong' }
  | { readonly outcome: 'Locked' }
  | { readonly outcome: 'Gone' };

type ProfileRow = {
  password_reset_required: number;
  mfa_bind_required: number;
  status: string;
  create_date: string;
  update_date: string;
};

const profileFromRow = (userName: string, r: ProfileRow): LoginProfile => ({
  userName,
  passwordResetRequired: r.password_reset_required === 1,
  mfaBindRequired: r.mfa_bind_required === 1,
  status: r.status === 'Inactive' ? 'Inactive' : 'Active',
  createDate: r.create_date,
  updateDate: r.update_date,
});

async function findProfile(tx: Tx, accountId: string, userId: string) {
  return tx
    .selectFrom('login_profiles')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

function checkStatus(status: string | undefined): void {
  if (status !== undefined && status !== 'Active' && status !== 'Inactive') {
    throw invalid('The parameter - "Status" MUST be Active or Inactive.');
  }
}

export function createLoginProfiles(ctx: DomainContext): LoginProfilesDomain {
  const { store } = ctx;

  /**
   * The one rule for guessing a console password, at logon (verifyPassword) and in
   * ChangePassword alike (src/domain/logon-attempts.ts claimAttempt): each try is claimed
   * before the expensive hash, MaxLoginAttemps failures within an hour lock the profile for an
   * hour, a right password clears the count and the lock.
   */
  /**
   * Bookkeeping of a password attempt (the failed-attempts counter), outside the request's
   * unit of work: the change a request makes after a right password (if any) comes in its
   * own transaction, which carries the request's audit event.
   */
  function attempt(...args: Parameters<typeof attemptNow>): Promise<Attempt> {
    return outsideUnitOfWork(() => attemptNow(...args));
  }

  async function attemptNow(
    accountId: string,
    userId: string,
    password: string,
    maxLoginAttemps: number,
    now: Date,
  ): Promise<Attempt> {
    const target = { kind: 'user', accountId, userId } as const;
    const claimed = await claimAttempt(store, target, maxLoginAttemps, now);
    if (!claimed) {
      return (await findProfile(store.db, accountId, userId)) ? { outcome: 'Locked' } : { outcome: 'Gone' };
    }
    if (!(await verifyPassword(password, claimed.hash))) return { outcome: 'Wrong' };
    await clearAttempts(store, target);
    return { outcome: 'Right', hash: claimed.hash, history: claimed.history };
  }

  /**
   * Replaces the password of a profile checked against `current` (its hash when read): the
   * policy (every unmet rule at once), no reuse of the last PasswordReusePrevention passwords,
   * then the new hash, with the old one first in the history. Clears PasswordResetRequired
   * when `clearReset`. Refused (changed meanwhile) when the stored hash is no longer `current`,
   * or with `activeOnly` when the profile was disabled meanwhile. Answers the new hash.
   */
  async function replacePassword(
    accountId: string,
    user: { user_id: string; user_name: string },
    current: { hash: string; history: string },
    newPassword: string,
    parameter: 'Password' | 'NewPassword',
    changed: { clearReset: boolean; activeOnly?: boolean; onConflict: () => Error },
  ): Promise<string> {
    const policy = await readPasswordPolicy(store.db, accountId);
    requireStrongPassword(policy, newPassword, parameter, user.user_name);
    const history = JSON.parse(current.history) as string[];
    await requireNotReused(policy, newPassword, [current.hash, ...history], parameter);
    const hash = await hashPassword(newPassword, ctx.scrypt);
    await store.transaction(async (tx) => {
      const now = nowIso(ctx);
      const res = await tx
        .updateTable('login_profiles')
        .set({
          password_hash: hash,
          password_history: JSON.stringify([current.hash, ...history].slice(0, HISTORY_MAX)),
          password_changed_date: now,
          ...(changed.clearReset ? { password_reset_required: 0 } : {}),
          failed_attempts: 0,
          failed_since: null,
          locked_until: null,
          update_date: now,
        })
        .where('account_id', '=', accountId)
        .where('user_id', '=', user.user_id)
        // Only if nobody changed it since it was checked.
        .where('password_hash', '=', current.hash)
        .$if(changed.activeOnly === true, (q) => q.where('status', '=', 'Active'))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw changed.onConflict();
      await endConsoleSessions(tx, accountId, user.user_id);
    });
    return hash;
  }

  /**
   * Ends every console session of a RAM user (a password changed or reset, the login profile
   * disabled or deleted): the credentials drawn from them end with them. So do its pending
   * logon steps: a step token taken with the old password must not finish a logon.
   */
  async function endConsoleSessions(tx: Tx, accountId: string, userId: string): Promise<void> {
    await tx
      .deleteFrom('logon_sessions')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .execute();
    await tx
      .deleteFrom('logon_steps')
      .where('account_id', '=', accountId)
      .where('principal_type', '=', 'RAMUser')
      .where('user_id', '=', userId)
      .execute();
  }

  async function requireProfile(tx: Tx, accountId: string, userName: string) {
    const user = await requireUser(tx, accountId, userName);
    const profile = await findProfile(tx, accountId, user.user_id);
    if (!profile) throw err.loginProfileNotExist(user.user_name);
    return { user, profile };
  }

  return {
    async create(accountId, userName, input) {
      checkStatus(input.status);
      // Cheap checks first, then the slow hash outside the transaction.
      const user0 = await requireUser(store.db, accountId, userName);
      if (await findProfile(store.db, accountId, user0.user_id))
        throw err.loginProfileExists(user0.user_name);
      const policy = await readPasswordPolicy(store.db, accountId);
      requireStrongPassword(policy, input.password, 'Password', user0.user_name);
      const hash = await hashPassword(input.password, ctx.scrypt);
      return store.transaction(async (tx) => {
        // Serialized with DeleteUser: the profile is never written for a user deleted meanwhile.
        await lockAccount(ctx, tx, accountId);
        const user = await lockUser(ctx, tx, accountId, userName);
        const now = nowIso(ctx);
        const row = {
          account_id: accountId,
          user_id: user.user_id,
          password_hash: hash,
          password_history: '[]',
          password_reset_required: input.passwordResetRequired ? 1 : 0,
          mfa_bind_required: input.mfaBindRequired ? 1 : 0,
          status: input.status ?? 'Active',
          failed_attempts: 0,
          failed_since: null,
          locked_until: null,
          password_changed_date: now,
          create_date: now,
          update_date: now,
        };
        await referencing(
          () =>
            uniquely(
              () => tx.insertInto('login_profiles').values(row).execute(),
              () => err.loginProfileExists(user.user_name),
            ),
          () => err.userNotExist(userName),
        );
        return profileFromRow(user.user_name, row);
      });
    },

    async get(accountId, userName) {
      const { user, profile } = await requireProfile(store.db, accountId, userName);
      return profileFromRow(user.user_name, profile);
    },

    async update(accountId, userName, input) {
      checkStatus(input.status);
      let hash: string | undefined;
      if (input.password !== undefined) {
        const { user, profile } = await requireProfile(store.db, accountId, userName);
        const policy = await readPasswordPolicy(store.db, accountId);
        requireStrongPassword(policy, input.password, 'Password', user.user_name);
        const history = JSON.parse(profile.password_history) as string[];
        await requireNotReused(policy, input.password, [profile.password_hash, ...history], 'Password');
        hash = await hashPassword(input.password, ctx.scrypt);
      }
      return store.transaction(async (tx) => {
        // Serialized with every other write of the account: two updates at once each keep the
        // other's password in the history, and one racing a delete finds no profile.
        await lockAccount(ctx, tx, accountId);
        const { user, profile } = await requireProfile(tx, accountId, userName);
        const now = nowIso(ctx);
        const history = JSON.parse(profile.password_history) as string[];
        const set = {
          ...(hash !== undefined
            ? {
                password_hash: hash,
                password_history: JSON.stringify([profile.password_hash, ...history].slice(0, HISTORY_MAX)),
                password_changed_date: now,
                failed_attempts: 0,
                failed_since: null,
                locked_until: null,
              }
            : {}),
          ...(input.passwordResetRequired !== undefined
            ? { password_reset_required: input.passwordResetRequired ? 1 : 0 }
            : {}),
          ...(input.mfaBindRequired !== undefined
            ? { mfa_bind_required: input.mfaBindRequired ? 1 : 0 }
            : {}),
          ...(input.status !== undefined ? { status: input.status } : {}),
          update_date: now,
        };
        // A new password (set by an administrator) ends the user's console sessions, and so does
        // disabling the profile: at once, so that enabling it again does not bring them back.
        if (hash !== undefined || input.status === 'Inactive')
          await endConsoleSessions(tx, accountId, user.user_id);
        await tx
          .updateTable('login_profiles')
          .set(set)
          .where('account_id', '=', accountId)
          .where('user_id', '=', user.user_id)
          .execute();
        return profileFromRow(user.user_name, { ...profile, ...set });
      });
    },

    async delete(accountId, userName) {
      await store.transaction(async (tx) => {
        // Serialized with every other write of the account: of two deletes at once, the second
        // finds no profile (one answer of success, one audit event of it).
        await lockAccount(ctx, tx, accountId);
        const { user } = await requireProfile(tx, accountId, userName);
        await tx
          .deleteFrom('login_profiles')
          .where('account_id', '=', accountId)
          .where('user_id', '=', user.user_id)
          .execute();
        // At once: a login profile created again does not bring its sessions back.
        await endConsoleSessions(tx, accountId, user.user_id);
      });
    },

    async changePassword(accountId, userName, oldPassword, newPassword) {
      const { user } = await requireProfile(store.db, accountId, userName);
      const policy = await readPasswordPolicy(store.db, accountId);
      // The old password is guessed like a logon: counted, and refused while locked.
      const checked = await attempt(
        accountId,
        user.user_id,
        oldPassword,
        policy.maxLoginAttemps,
        ctx.clock(),
      );
      if (checked.outcome === 'Locked') throw err.loginProfileLocked(user.user_name);
      if (checked.outcome === 'Gone') throw err.loginProfileNotExist(user.user_name);
      if (checked.outcome === 'Wrong') throw err.oldPasswordIncorrect();
      await replacePassword(accountId, user, checked, newPassword, 'NewPassword', {
        clearReset: true,
        onConflict: () => err.oldPasswordIncorrect(),
      });
    },

    async changePasswordAtLogon(accountId, userId, newPassword, stamp) {
      const user = await store.db
        .selectFrom('users')
        .select(['user_id', 'user_name'])
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const profile = user ? await findProfile(store.db, accountId, userId) : undefined;
      // The step is for the password it was issued under, on an Active profile: reset,
      // disabled or deleted since, the step is dead (and the update below is conditional on both).
      if (
        !user ||
        !profile ||
        profile.status !== 'Active' ||
        !constantTimeEqual(passwordStamp(profile.password_hash), stamp)
      )
        throw err.stepTokenInvalid();
      const hash = await replacePassword(
        accountId,
        user,
        { hash: profile.password_hash, history: profile.password_history },
        newPassword,
        'NewPassword',
        { clearReset: true, activeOnly: true, onConflict: () => err.stepTokenInvalid() },
      );
      return passwordStamp(hash);
    },

    async verifyPassword(accountId, userName, password, at): Promise<PasswordCheck> {
      const now = at ?? ctx.clock();
      const user = await requireUser(store.db, accountId, userName).catch(() => undefined);
      const profile = user ? await findProfile(store.db, accountId, user.user_id) : undefined;
      if (!user || !profile) {
        await spendPasswordCheck(ctx, password); // same cost as a real check
        return { ok: false, reason: 'NoLoginProfile' };
      }
      if (profile.status === 'Inactive') {
        // Same cost as a real check; not counted (the answer is the same, right or wrong).
        await verifyPassword(password, profile.password_hash);
        return { ok: false, reason: 'Inactive' };
      }
      const policy = await readPasswordPolicy(store.db, accountId);
      const checked = await attempt(accountId, user.user_id, password, policy.maxLoginAttemps, now);
      if (checked.outcome === 'Locked' || checked.outcome === 'Gone') {
        await spendPasswordCheck(ctx, password); // same cost as a real check
        return { ok: false, reason: checked.outcome === 'Locked' ? 'Locked' : 'NoLoginProfile' };
      }
      if (checked.outcome === 'Wrong') return { ok: false, reason: 'WrongPassword' };
      const ageMs = now.getTime() - Date.parse(profile.password_changed_date);
      const expired = policy.maxPasswordAge > 0 && ageMs > policy.maxPasswordAge * 86_400_000;
      if (expired && policy.hardExpiry) return { ok: false, reason: 'Expired' };
      return {
        ok: true,
        passwordResetRequired: profile.password_reset_required === 1 || expired,
        mfaBindRequired: profile.mfa_bind_required === 1,
        passwordExpired: expired,
        userId: user.user_id,
        userName: user.user_name,
        passwordStamp: passwordStamp(checked.hash),
      };
    },
  };
}
