import { sql } from 'kysely';
import { hashPassword, verifyPassword } from '../crypto/password-hash.js';
import { outsideUnitOfWork, type Tx } from '../store/index.js';
import type { LoginProfile, LoginProfilesDomain, PasswordCheck } from './index.js';
import type { DomainContext } from './context.js';
import { invalid, lockAccount, nowIso, referencing, uniquely } from './common.js';
import { err } from './messages.js';
import { passwordSatisfies, readPasswordPolicy } from './password-policy.js';
import { lockUser, requireUser } from './rows.js';

/** Earlier hashes kept for PasswordReusePrevention (its maximum). */
const HISTORY_MAX = 24;
/** How long MaxLoginAttemps wrong passwords in a row lock a login profile (reference limits.md). */
const LOCK_MS = 60 * 60 * 1000;

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
   * ChangePassword alike. Each attempt first claims a try in one conditional UPDATE, before
   * the expensive hash: failed_attempts + 1, and the claim that reaches the password policy's
   * MaxLoginAttemps also locks the profile for LOCK_MS (the count starts again at 0). A locked
   * profile grants no claim: Locked, and no hash is computed. So parallel guesses can never
   * test more than MaxLoginAttemps passwords before the lock. A right password then clears the
   * count and the lock (a success resets); a wrong one leaves its claim counted.
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
    const reached =
      maxLoginAttemps > 0 ? sql<boolean>`failed_attempts + 1 >= ${maxLoginAttemps}` : sql<boolean>`1 = 0`;
    const lockedUntil = new Date(now.getTime() + LOCK_MS).toISOString();
    const claimed = await store.transaction((tx) =>
      tx
        .updateTable('login_profiles')
        .set({
          failed_attempts: sql<number>`case when ${reached} then 0 else failed_attempts + 1 end`,
          locked_until: sql<string | null>`case when ${reached} then ${lockedUntil} else null end`,
        })
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]))
        .returning(['password_hash', 'password_history'])
        .executeTakeFirst(),
    );
    if (!claimed) {
      return (await findProfile(store.db, accountId, userId)) ? { outcome: 'Locked' } : { outcome: 'Gone' };
    }
    if (!(await verifyPassword(password, claimed.password_hash))) return { outcome: 'Wrong' };
    await store.transaction((tx) =>
      tx
        .updateTable('login_profiles')
        .set({ failed_attempts: 0, locked_until: null })
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .execute(),
    );
    return { outcome: 'Right', hash: claimed.password_hash, history: claimed.password_history };
  }

  async function requireProfile(tx: Tx, accountId: string, userName: string) {
    const user = await requireUser(tx, accountId, userName);
    const profile = await findProfile(tx, accountId, user.user_id);
    if (!profile) throw err.loginProfileNotExist(user.user_name);
    return { user, profile };
  }

  return {
    async create(accountId, userName, input) {
      // Cheap checks first, then the slow hash outside the transaction.
      const user0 = await requireUser(store.db, accountId, userName);
      if (await findProfile(store.db, accountId, user0.user_id))
        throw err.loginProfileExists(user0.user_name);
      const policy = await readPasswordPolicy(store.db, accountId);
      if (!passwordSatisfies(policy, input.password, user0.user_name)) throw err.passwordTooWeak();
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
          status: 'Active',
          failed_attempts: 0,
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
        const { user } = await requireProfile(store.db, accountId, userName);
        const policy = await readPasswordPolicy(store.db, accountId);
        if (!passwordSatisfies(policy, input.password, user.user_name)) throw err.passwordTooWeak();
        hash = await hashPassword(input.password, ctx.scrypt);
      }
      return store.transaction(async (tx) => {
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
        const { user } = await requireProfile(tx, accountId, userName);
        await tx
          .deleteFrom('login_profiles')
          .where('account_id', '=', accountId)
          .where('user_id', '=', user.user_id)
          .execute();
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
      const current = checked.hash;
      if (!passwordSatisfies(policy, newPassword, user.user_name)) throw err.newPasswordTooWeak();
      const history = JSON.parse(checked.history) as string[];
      if (policy.passwordReusePrevention > 0) {
        const recent = [current, ...history].slice(0, policy.passwordReusePrevention);
        for (const h of recent) {
          if (await verifyPassword(newPassword, h))
            throw err.newPasswordReused(policy.passwordReusePrevention);
        }
      }
      const hash = await hashPassword(newPassword, ctx.scrypt);
      await store.transaction(async (tx) => {
        const now = nowIso(ctx);
        const res = await tx
          .updateTable('login_profiles')
          .set({
            password_hash: hash,
            password_history: JSON.stringify([current, ...history].slice(0, HISTORY_MAX)),
            password_changed_date: now,
            password_reset_required: 0,
            failed_attempts: 0,
            locked_until: null,
            update_date: now,
          })
          .where('account_id', '=', accountId)
          .where('user_id', '=', user.user_id)
          // Only if nobody changed it since it was checked.
          .where('password_hash', '=', current)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw err.oldPasswordIncorrect();
      });
    },

    async verifyPassword(accountId, userName, password, at): Promise<PasswordCheck> {
      const now = at ?? ctx.clock();
      const user = await requireUser(store.db, accountId, userName).catch(() => undefined);
      const profile = user ? await findProfile(store.db, accountId, user.user_id) : undefined;
      if (!user || !profile) {
        await hashPassword(password, ctx.scrypt); // same cost as a real check
        return { ok: false, reason: 'NoLoginProfile' };
      }
      if (profile.status === 'Inactive') {
        // Same cost as a real check; not counted (the answer is the same, right or wrong).
        await verifyPassword(password, profile.password_hash);
        return { ok: false, reason: 'Inactive' };
      }
      const policy = await readPasswordPolicy(store.db, accountId);
      const checked = await attempt(accountId, user.user_id, password, policy.maxLoginAttemps, now);
      if (checked.outcome === 'Locked') return { ok: false, reason: 'Locked' };
      if (checked.outcome === 'Gone') return { ok: false, reason: 'NoLoginProfile' };
      if (checked.outcome === 'Wrong') return { ok: false, reason: 'WrongPassword' };
      const ageMs = now.getTime() - Date.parse(profile.password_changed_date);
      const expired = policy.maxPasswordAge > 0 && ageMs > policy.maxPasswordAge * 86_400_000;
      if (expired && policy.hardExpiry) return { ok: false, reason: 'Expired' };
      return {
        ok: true,
        passwordResetRequired: profile.password_reset_required === 1 || expired,
        mfaBindRequired: profile.mfa_bind_required === 1,
        passwordExpired: expired,
      };
    },
  };
}
