import { sql } from 'kysely';
import { sha256Hex } from '../crypto/digest.js';
import { hashPassword, verifyPassword } from '../crypto/password-hash.js';
import type { Store } from '../store/index.js';
import type { DomainContext } from './context.js';

/** How long MaxLoginAttemps wrong passwords lock a logon, and the window they are counted in. */
export const LOCK_MS = 60 * 60 * 1000;
export const FAILURE_WINDOW_MS = 60 * 60 * 1000;

/**
 * What a logon step is bound to besides its principal: a digest of the password hash it was
 * issued under (a new password, even the same one, is a new hash). Never the hash itself.
 */
export const passwordStamp = (passwordHash: string): string => sha256Hex(passwordHash);

/** Whose password is guessed: a RAM user's login profile or the root of an account. */
export type AttemptTarget =
  | { readonly kind: 'user'; readonly accountId: string; readonly userId: string }
  | { readonly kind: 'root'; readonly accountId: string };

const COLUMNS = {
  user: {
    table: 'login_profiles',
    count: 'failed_attempts',
    since: 'failed_since',
    lock: 'locked_until',
    hash: 'password_hash',
    history: 'password_history',
  },
  root: {
    table: 'accounts',
    count: 'root_failed_attempts',
    since: 'root_failed_since',
    lock: 'root_locked_until',
    hash: 'root_password_hash',
    history: 'root_password_history',
  },
} as const;

function whereOf(t: AttemptTarget) {
  return t.kind === 'user'
    ? sql`account_id = ${t.accountId} and user_id = ${t.userId}`
    : sql`account_id = ${t.accountId}`;
}

/**
 * Claims one password try, before the expensive hash, in one conditional UPDATE: the count of
 * failures in the current window (FAILURE_WINDOW_MS from the first one; an older window starts
 * again) goes up by one, and the claim that reaches MaxLoginAttemps locks the logon for LOCK_MS
 * (the count starts again). A locked target grants no claim (undefined), so parallel guesses
 * never test more than MaxLoginAttemps passwords before the lock. The claim returns the hash
 * to check and the password history. maxLoginAttemps 0: counted, never locked.
 */
export async function claimAttempt(
  store: Store,
  target: AttemptTarget,
  maxLoginAttemps: number,
  now: Date,
): Promise<{ hash: string; history: string } | undefined> {
  const c = COLUMNS[target.kind];
  const nowText = now.toISOString();
  const windowFrom = new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString();
  const lockedUntil = new Date(now.getTime() + LOCK_MS).toISOString();
  const expired = sql`(${sql.ref(c.since)} is null or ${sql.ref(c.since)} <= ${windowFrom})`;
  const base = sql`(case when ${expired} then 0 else ${sql.ref(c.count)} end)`;
  const reached = maxLoginAttemps > 0 ? sql`${base} + 1 >= ${maxLoginAttemps}` : sql`1 = 0`;
  const r = await store.transaction((tx) =>
    sql<{ hash: string; history: string }>`update ${sql.table(c.table)} set
        ${sql.ref(c.count)} = case when ${reached} then 0 else ${base} + 1 end,
        ${sql.ref(c.since)} = case when ${reached} then null when ${expired} then ${nowText} else ${sql.ref(c.since)} end,
        ${sql.ref(c.lock)} = case when ${reached} then ${lockedUntil} else null end
      where ${whereOf(target)}
        and (${sql.ref(c.lock)} is null or ${sql.ref(c.lock)} <= ${nowText})
      returning ${sql.ref(c.hash)} as hash, ${sql.ref(c.history)} as history`.execute(tx),
  );
  return r.rows[0];
}

/** A right password: the failure count, its window and any lock are cleared. */
export async function clearAttempts(store: Store, target: AttemptTarget): Promise<void> {
  const c = COLUMNS[target.kind];
  await store.transaction((tx) =>
    sql`update ${sql.table(c.table)} set ${sql.ref(c.count)} = 0, ${sql.ref(c.since)} = null, ${sql.ref(c.lock)} = null
      where ${whereOf(target)}`.execute(tx),
  );
}

/** Whether the target is locked now. */
export async function isLocked(store: Store, target: AttemptTarget, now: Date): Promise<boolean> {
  const c = COLUMNS[target.kind];
  const r = await sql<{
    locked: string | null;
  }>`select ${sql.ref(c.lock)} as locked from ${sql.table(c.table)}
    where ${whereOf(target)}`.execute(store.db);
  const locked = r.rows[0]?.locked;
  return typeof locked === 'string' && locked > now.toISOString();
}

const dummyHashes = new WeakMap<DomainContext, Promise<string>>();

/**
 * Spends the cost of one password check where there is nothing to check (no such user, a
 * locked logon), so that the answer's timing does not tell those cases from a wrong password:
 * the password is checked against a fixed hash made once with the deployment's parameters.
 */
export async function spendPasswordCheck(ctx: DomainContext, password: string): Promise<void> {
  let dummy = dummyHashes.get(ctx);
  if (!dummy) {
    dummy = hashPassword('rampart-no-such-password', ctx.scrypt);
    dummyHashes.set(ctx, dummy);
  }
  await verifyPassword(password, await dummy);
}
