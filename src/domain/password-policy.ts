import { apiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import type { PasswordPolicy, PasswordPolicyDomain } from './index.js';
import type { DomainContext } from './context.js';
import { invalid, lockAccount, nowIso } from './common.js';
import { err } from './messages.js';
import { verifyPassword } from '../crypto/password-hash.js';

/** GetPasswordPolicy of an account that never set one (reference limits.md section 6). */
export const defaultPasswordPolicy: PasswordPolicy = {
  minimumPasswordLength: 8,
  requireLowercaseCharacters: false,
  requireUppercaseCharacters: false,
  requireNumbers: false,
  requireSymbols: false,
  hardExpiry: false,
  maxLoginAttemps: 0,
  passwordReusePrevention: 0,
  maxPasswordAge: 0,
  minimumPasswordDifferentCharacter: 0,
  passwordNotContainUserName: false,
};

/** The longest password accepted whatever the policy. */
export const MAX_PASSWORD_LENGTH = 128;

const RANGES: Record<string, [number, number, string]> = {
  minimumPasswordLength: [8, 32, 'MinimumPasswordLength'],
  maxLoginAttemps: [0, 32, 'MaxLoginAttemps'],
  passwordReusePrevention: [0, 24, 'PasswordReusePrevention'],
  maxPasswordAge: [0, 1095, 'MaxPasswordAge'],
  minimumPasswordDifferentCharacter: [0, 8, 'MinimumPasswordDifferentCharacter'],
};

export async function readPasswordPolicy(tx: Tx, accountId: string): Promise<PasswordPolicy> {
  const row = await tx
    .selectFrom('accounts')
    .select('password_policy')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw invalid(`The account does not exist: ${accountId}.`);
  return { ...defaultPasswordPolicy, ...(row.password_policy ? JSON.parse(row.password_policy) : {}) };
}

/**
 * Every rule of the policy the password does not meet (for the user named, when given), each
 * as a short phrase (`at least 12 characters`, `an uppercase letter`, ...); empty when it
 * satisfies the policy. A rejected password is answered with all of them at once.
 */
export function passwordIssues(policy: PasswordPolicy, password: string, userName?: string): string[] {
  const chars = [...password];
  const issues: string[] = [];
  if (chars.length < policy.minimumPasswordLength)
    issues.push(`at least ${policy.minimumPasswordLength} characters`);
  if (chars.length > MAX_PASSWORD_LENGTH) issues.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  if (policy.requireLowercaseCharacters && !/[a-z]/.test(password)) issues.push('a lowercase letter');
  if (policy.requireUppercaseCharacters && !/[A-Z]/.test(password)) issues.push('an uppercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) issues.push('a digit');
  // A symbol is ASCII punctuation, as letters and digits are ASCII: a letter of another
  // script (é, ж) is none of the three.
  if (policy.requireSymbols && !/[!-/:-@[-`{-~]/.test(password)) issues.push('a symbol');
  if (new Set(chars).size < policy.minimumPasswordDifferentCharacter)
    issues.push(`at least ${policy.minimumPasswordDifferentCharacter} different characters`);
  if (
    policy.passwordNotContainUserName &&
    userName &&
    password.toLowerCase().includes(userName.toLowerCase())
  ) {
    issues.push('not the user name');
  }
  return issues;
}

/** True when the password satisfies the policy (for the user named, when given). */
export function passwordSatisfies(policy: PasswordPolicy, password: string, userName?: string): boolean {
  return passwordIssues(policy, password, userName).length === 0;
}

/**
 * Throws the parameter's TooWeak error, listing every unmet rule, unless the password
 * satisfies the policy.
 */
export function requireStrongPassword(
  policy: PasswordPolicy,
  password: string,
  parameter: 'Password' | 'NewPassword',
  userName?: string,
): void {
  const issues = passwordIssues(policy, password, userName);
  if (issues.length > 0) throw err.passwordTooWeak(parameter, issues);
}

/**
 * Throws the parameter's ReusePrevention error when the password matches one of the last
 * PasswordReusePrevention passwords (`recent`: the current hash first, then the history,
 * newest first). Every hash compared costs one memory-hard hash.
 */
export async function requireNotReused(
  policy: PasswordPolicy,
  password: string,
  recent: readonly string[],
  parameter: 'Password' | 'NewPassword',
): Promise<void> {
  if (policy.passwordReusePrevention <= 0) return;
  for (const h of recent.slice(0, policy.passwordReusePrevention)) {
    if (await verifyPassword(password, h))
      throw err.passwordReused(parameter, policy.passwordReusePrevention);
  }
}

export function createPasswordPolicy(ctx: DomainContext): PasswordPolicyDomain {
  const { store } = ctx;
  return {
    get: (accountId) => readPasswordPolicy(store.db, accountId),
    async set(accountId, input) {
      const [lo, hi] = RANGES.minimumPasswordLength!;
      const len = input.minimumPasswordLength;
      if (len !== undefined && (!Number.isInteger(len) || len < lo || len > hi)) {
        throw apiError(
          'InvalidParameter.MinimumPasswordLength.Range',
          'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
        );
      }
      for (const [field, [min, max, wire]] of Object.entries(RANGES)) {
        const v = (input as Record<string, unknown>)[field];
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
          throw invalid(`The parameter - "${wire}" MUST be in the range of ${min} and ${max}.`);
        }
      }
      const next: Record<string, unknown> = {};
      for (const k of Object.keys(defaultPasswordPolicy)) {
        const v = (input as Record<string, unknown>)[k];
        if (v !== undefined) next[k] = v;
      }
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const merged: PasswordPolicy = { ...(await readPasswordPolicy(tx, accountId)), ...next };
        await tx
          .updateTable('accounts')
          .set({ password_policy: JSON.stringify(merged), update_date: nowIso(ctx) })
          .where('account_id', '=', accountId)
          .execute();
        return merged;
      });
    },
  };
}
