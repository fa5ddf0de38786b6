import type { Quotas, User } from './index.js';
import type { DomainContext } from './context.js';
import { accountDomain, accountQuotas, invalid } from './common.js';
import { readPasswordPolicy } from './password-policy.js';
import { userFromRow } from './rows.js';

/**
 * Account-wide reads of IMS: the entity counts and quotas (GetAccountSummary), the root's own
 * security state (GetAccountMFAInfo, GetAccountSecurityPracticeReport) and the user that owns
 * an AccessKey (GetUser by UserAccessKeyId).
 */
export interface AccountSummary {
  readonly users: number;
  readonly groups: number;
  readonly roles: number;
  /** Custom policies. */
  readonly policies: number;
  readonly mfaDevices: number;
  /** Virtual MFA devices bound to a user. */
  readonly mfaDevicesInUse: number;
  readonly quotas: Quotas;
}

export interface SecurityPractice {
  /** The root has an MFA device or a security key. */
  readonly rootMfa: boolean;
  /** AccessKeys the root owns (root keys are discouraged). */
  readonly rootAccessKeys: number;
  readonly users: number;
  /** Users with a bound MFA device or a security key. */
  readonly usersWithMfa: number;
  /** `strong`, `medium` or `weak`: how demanding the password policy is. */
  readonly passwordLevel: 'strong' | 'medium' | 'weak';
  /** Users' AccessKeys created more than 90 days ago, and their users. */
  readonly oldAccessKeys: number;
  readonly usersWithOldAccessKey: number;
  /** Users' AccessKeys not used for 90 days (never used and older than 90 days included), and their users. */
  readonly unusedAccessKeys: number;
  readonly usersWithUnusedAccessKey: number;
  /** 0..100: 100 minus the deductions for each finding above. */
  readonly score: number;
}

export interface AccountSummaryDomain {
  /** GetAccountSummary. */
  summary(accountId: string): Promise<AccountSummary>;
  /**
   * GetAccountMFAInfo: whether the root has an MFA device. Rampart's root logs on with its
   * password only (no root MFA device exists), so this reads false until root MFA exists.
   */
  rootMfaEnabled(accountId: string): Promise<boolean>;
  /** GetAccountSecurityPracticeReport, computed from the stored state at the call. */
  securityPractice(accountId: string): Promise<SecurityPractice>;
  /** The RAM user that owns this AccessKey in the account; undefined for a root key or an unknown one. */
  userByAccessKeyId(accountId: string, accessKeyId: string): Promise<User | undefined>;
}

/** Policy documents of up to 6,144 characters (reference limits.md). */
export const POLICY_SIZE_QUOTA = 6144;
const IDLE_DAYS = 90;
const DAY_MS = 86_400_000;

export function createAccountSummary(ctx: DomainContext): AccountSummaryDomain {
  const { store } = ctx;

  async function account(accountId: string) {
    const row = await store.db
      .selectFrom('accounts')
      .select([
        'user_count',
        'group_count',
        'role_count',
        'policy_count',
        'mfa_device_count',
        'root_mfa_device',
      ])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw invalid(`The account does not exist: ${accountId}.`);
    return row;
  }

  /** Users with MFA: a bound virtual MFA device or a registered security key. */
  async function usersWithMfa(accountId: string): Promise<number> {
    const devices = await store.db
      .selectFrom('mfa_devices')
      .select('user_id')
      .where('account_id', '=', accountId)
      .where('user_id', 'is not', null)
      .execute();
    const keys = await store.db
      .selectFrom('webauthn_credentials')
      .select('user_id')
      .distinct()
      .where('account_id', '=', accountId)
      .where('principal_type', '=', 'RAMUser')
      .execute();
    return new Set([...devices, ...keys].map((r) => r.user_id)).size;
  }

  async function rootHasSecurityKey(accountId: string): Promise<boolean> {
    const row = await store.db
      .selectFrom('webauthn_credentials')
      .select('credential_id')
      .where('account_id', '=', accountId)
      .where('principal_type', '=', 'Root')
      .executeTakeFirst();
    return row !== undefined;
  }

  async function boundUsers(accountId: string): Promise<number> {
    const row = await store.db
      .selectFrom('mfa_devices')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('user_id', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  return {
    async summary(accountId) {
      const row = await account(accountId);
      return {
        users: Number(row.user_count),
        groups: Number(row.group_count),
        roles: Number(row.role_count),
        policies: Number(row.policy_count),
        mfaDevices: Number(row.mfa_device_count),
        mfaDevicesInUse: await boundUsers(accountId),
        quotas: await accountQuotas(ctx, store.db, accountId),
      };
    },

    async rootMfaEnabled(accountId) {
      return (await account(accountId)).root_mfa_device !== null;
    },

    async securityPractice(accountId) {
      const row = await account(accountId);
      const keys = await store.db
        .selectFrom('access_keys')
        .select(['user_id', 'create_date', 'last_used_date'])
        .where('account_id', '=', accountId)
        .execute();
      const now = ctx.clock().getTime();
      const old = (d: string) => now - Date.parse(d) > IDLE_DAYS * DAY_MS;
      const rootAccessKeys = keys.filter((k) => k.user_id === null).length;
      const userKeys = keys.filter((k) => k.user_id !== null);
      const oldKeys = userKeys.filter((k) => old(k.create_date));
      const unusedKeys = userKeys.filter((k) => old(k.last_used_date ?? k.create_date));
      const policy = await readPasswordPolicy(store.db, accountId);
      const classes = [
        policy.requireLowercaseCharacters,
        policy.requireUppercaseCharacters,
        policy.requireNumbers,
        policy.requireSymbols,
      ].filter(Boolean).length;
      const passwordLevel =
        policy.minimumPasswordLength >= 12 && classes === 4
          ? 'strong'
          : policy.minimumPasswordLength >= 8 && classes >= 3
            ? 'medium'
            : 'weak';
      const users = Number(row.user_count);
      const withMfa = await usersWithMfa(accountId);
      const rootMfa = row.root_mfa_device !== null || (await rootHasSecurityKey(accountId));
      let score = 100;
      if (!rootMfa) score -= 20;
      if (rootAccessKeys > 0) score -= 20;
      if (users > withMfa) score -= 15;
      if (passwordLevel !== 'strong') score -= passwordLevel === 'weak' ? 15 : 5;
      if (oldKeys.length > 0) score -= 10;
      if (unusedKeys.length > 0) score -= 10;
      return {
        rootMfa,
        rootAccessKeys,
        users,
        usersWithMfa: withMfa,
        passwordLevel,
        oldAccessKeys: oldKeys.length,
        usersWithOldAccessKey: new Set(oldKeys.map((k) => k.user_id)).size,
        unusedAccessKeys: unusedKeys.length,
        usersWithUnusedAccessKey: new Set(unusedKeys.map((k) => k.user_id)).size,
        score: Math.max(0, score),
      };
    },

    async userByAccessKeyId(accountId, accessKeyId) {
      const row = await store.db
        .selectFrom('access_keys')
        .innerJoin('users', (j) =>
          j
            .onRef('users.account_id', '=', 'access_keys.account_id')
            .onRef('users.user_id', '=', 'access_keys.user_id'),
        )
        .selectAll('users')
        .where('access_keys.account_id', '=', accountId)
        .where('access_keys.access_key_id', '=', accessKeyId)
        .executeTakeFirst();
      return row ? userFromRow(row, await accountDomain(store.db, accountId)) : undefined;
    },
  };
}
