import { hashPassword, verifyPassword } from '../crypto/password-hash.js';
import type { Tx } from '../store/index.js';
import type { AccountsDomain, Account, Quotas } from './index.js';
import type { DomainContext } from './context.js';
import { defaultQuotas } from './context.js';
import {
  accountQuotas,
  defaultDomain,
  invalid,
  isoSeconds,
  lockAccount,
  nowIso,
  optionalText,
  randomDigits,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { issueAccessKey } from './access-keys.js';
import { isUniqueViolation } from '../store/errors.js';
import { hotQuery } from '../store/index.js';
import { asciiLowerCase } from '../text.js';
import {
  defaultPasswordPolicy,
  readPasswordPolicy,
  requireNotReused,
  requireStrongPassword,
} from './password-policy.js';
import { claimAttempt, clearAttempts, isLocked, spendPasswordCheck } from './logon-attempts.js';

const PERMISSIONS_VERSION = hotQuery(
  'permissions_version',
  'select permissions_version as v from accounts where account_id = ?',
);

const ALIAS = /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/** SetAccountAlias rules: 3..32 characters; lowercase letters, digits, single hyphens inside. */
export function checkAlias(alias: string): void {
  if (alias.length < 3 || alias.length > 32) throw err.aliasLength();
  if (!ALIAS.test(alias)) throw err.aliasFormat();
}

/** A new account's root password: the default password policy (8..128 characters). */
function checkRootPassword(password: string): void {
  requireStrongPassword(defaultPasswordPolicy, password, 'Password');
}

/** Earlier root password hashes kept for PasswordReusePrevention (its maximum). */
const ROOT_HISTORY_MAX = 24;

type AccountRow = { account_id: string; alias: string | null; create_date: string };

function accountFromRow(r: AccountRow): Account {
  const domain = defaultDomain(r.account_id, r.alias);
  return {
    accountId: r.account_id,
    alias: optionalText(r.alias),
    rootLoginName: `root@${domain}`,
    defaultDomain: domain,
    createDate: r.create_date,
  };
}

async function requireAccount(
  tx: Tx,
  accountId: string,
): Promise<AccountRow & { root_password_hash: string; root_password_history: string }> {
  const row = await tx
    .selectFrom('accounts')
    .select(['account_id', 'alias', 'create_date', 'root_password_hash', 'root_password_history'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw invalid(`The account does not exist: ${accountId}.`);
  return row;
}

const QUOTA_KEYS = Object.keys(defaultQuotas) as (keyof Quotas)[];

/**
 * Writes a new account in the caller's transaction `tx` (a member account of a resource
 * directory, created with its access role and membership, all or nothing). The alias rules of
 * `create` apply; the root password arrives hashed.
 */
export async function insertAccount(
  ctx: DomainContext,
  tx: Tx,
  input: { readonly alias?: string; readonly rootPasswordHash: string },
): Promise<{ accountId: string; alias?: string; rootLoginName: string }> {
  if (input.alias !== undefined) {
    checkAlias(input.alias);
    const taken = await tx
      .selectFrom('accounts')
      .select('account_id')
      .where('alias_key', '=', input.alias)
      .executeTakeFirst();
    if (taken) throw err.aliasExists(input.alias);
  }
  // An id already in use is drawn again (a failed insert would end a PostgreSQL transaction).
  let accountId = randomDigits(16);
  for (let attempt = 0; ; attempt++) {
    const used = await tx
      .selectFrom('accounts')
      .select('account_id')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!used || attempt >= 5) break;
    accountId = randomDigits(16);
  }
  const now = nowIso(ctx);
  await uniquely(
    () =>
      tx
        .insertInto('accounts')
        .values({
          account_id: accountId,
          alias: input.alias ?? null,
          alias_key: input.alias ?? null,
          root_password_hash: input.rootPasswordHash,
          permissions_version: 0,
          quotas: null,
          password_policy: null,
          security_preference: null,
          create_date: now,
          update_date: now,
        })
        .execute(),
    () => err.aliasExists(input.alias ?? accountId),
  );
  const a = accountFromRow({ account_id: accountId, alias: input.alias ?? null, create_date: now });
  return { accountId, ...(a.alias !== undefined ? { alias: a.alias } : {}), rootLoginName: a.rootLoginName };
}

export function createAccounts(ctx: DomainContext): AccountsDomain {
  const { store } = ctx;

  /**
   * Sets the root password under the account's password policy (every unmet rule listed) and
   * PasswordReusePrevention; the old hash goes first in the history; clears a lock-out.
   */
  async function changeRoot(
    accountId: string,
    password: string,
    parameter: 'Password' | 'NewPassword',
  ): Promise<void> {
    const row = await requireAccount(store.db, accountId);
    const policy = await readPasswordPolicy(store.db, accountId);
    requireStrongPassword(policy, password, parameter);
    const history = JSON.parse(row.root_password_history) as string[];
    await requireNotReused(policy, password, [row.root_password_hash, ...history], parameter);
    const hash = await hashPassword(password, ctx.scrypt);
    await store.transaction(async (tx) => {
      // Locked: of two changes at once, the later one keeps the earlier one's password in the history.
      await lockAccount(ctx, tx, accountId);
      const current = await requireAccount(tx, accountId);
      const earlier = JSON.parse(current.root_password_history) as string[];
      await tx
        .updateTable('accounts')
        .set({
          root_password_hash: hash,
          root_password_history: JSON.stringify(
            [current.root_password_hash, ...earlier].slice(0, ROOT_HISTORY_MAX),
          ),
          root_failed_attempts: 0,
          root_failed_since: null,
          root_locked_until: null,
          update_date: nowIso(ctx),
        })
        .where('account_id', '=', accountId)
        .execute();
      // A new root password ends the root's console sessions (and the credentials drawn from
      // them), and its pending logon steps: a step token taken with the old password is dead.
      await tx
        .deleteFrom('logon_sessions')
        .where('account_id', '=', accountId)
        .where('principal_type', '=', 'Root')
        .execute();
      await tx
        .deleteFrom('logon_steps')
        .where('account_id', '=', accountId)
        .where('principal_type', '=', 'Root')
        .execute();
    });
  }

  const domain: AccountsDomain = {
    async create(input) {
      if (input.alias !== undefined) checkAlias(input.alias);
      checkRootPassword(input.rootPassword);
      const hash = await hashPassword(input.rootPassword, ctx.scrypt);
      for (let attempt = 0; ; attempt++) {
        const accountId = randomDigits(16);
        const now = nowIso(ctx);
        try {
          await store.transaction(async (tx) => {
            if (input.alias !== undefined) {
              const taken = await tx
                .selectFrom('accounts')
                .select('account_id')
                .where('alias_key', '=', input.alias)
                .executeTakeFirst();
              if (taken) throw err.aliasExists(input.alias);
            }
            await tx
              .insertInto('accounts')
              .values({
                account_id: accountId,
                alias: input.alias ?? null,
                alias_key: input.alias ?? null,
                root_password_hash: hash,
                permissions_version: 0,
                quotas: null,
                password_policy: null,
                security_preference: null,
                create_date: now,
                update_date: now,
              })
              .execute();
          });
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
          // Either the alias was taken meanwhile, or (rarely) the random id collided.
          if (input.alias !== undefined) {
            const taken = await store.db
              .selectFrom('accounts')
              .select('account_id')
              .where('alias_key', '=', input.alias)
              .executeTakeFirst();
            if (taken) throw err.aliasExists(input.alias);
          }
          if (attempt < 5) continue;
          throw e;
        }
        const a = accountFromRow({ account_id: accountId, alias: input.alias ?? null, create_date: now });
        return { accountId, alias: a.alias, rootLoginName: a.rootLoginName };
      }
    },

    async createRootAccessKey(accountId) {
      return store.transaction(async (tx) => {
        await requireAccount(tx, accountId);
        await lockAccount(ctx, tx, accountId); // the root's key quota: serialized like every create
        const key = await issueAccessKey(ctx, tx, accountId, null);
        return { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
      });
    },

    async list() {
      const rows = await store.db
        .selectFrom('accounts')
        .select(['account_id', 'alias', 'create_date'])
        .orderBy('create_date')
        .orderBy('account_id')
        .execute();
      return rows.map(accountFromRow);
    },

    async get(accountId) {
      const row = await store.db
        .selectFrom('accounts')
        .select(['account_id', 'alias', 'create_date'])
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row ? accountFromRow(row) : undefined;
    },

    async findByAliasOrId(aliasOrId) {
      const key = asciiLowerCase(aliasOrId).replace(/\.onaliyun\.com$/, '');
      const rows = await store.db
        .selectFrom('accounts')
        .select(['account_id', 'alias', 'create_date'])
        .where((eb) => eb.or([eb('alias_key', '=', key), eb('account_id', '=', key)]))
        .execute();
      // An account id wins over another account's alias that happens to spell it.
      const row = rows.find((r) => r.account_id === key) ?? rows[0];
      return row ? accountFromRow(row) : undefined;
    },

    async verifyRootPassword(accountId, password) {
      const row = await store.db
        .selectFrom('accounts')
        .select('root_password_hash')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      // An unknown account still costs one hash, so timing does not tell which ids exist.
      if (!row) {
        await spendPasswordCheck(ctx, password);
        return false;
      }
      return verifyPassword(password, row.root_password_hash);
    },

    async attemptRootPassword(accountId, password, at) {
      const now = at ?? ctx.clock();
      const target = { kind: 'root', accountId } as const;
      const policy = await readPasswordPolicy(store.db, accountId).catch(() => undefined);
      const claimed = policy ? await claimAttempt(store, target, policy.maxLoginAttemps, now) : undefined;
      if (!claimed) {
        await spendPasswordCheck(ctx, password); // same cost as a real check
        return policy ? 'Locked' : 'WrongPassword';
      }
      if (!(await verifyPassword(password, claimed.hash))) return 'WrongPassword';
      await clearAttempts(store, target);
      return 'Right';
    },

    rootLocked: (accountId, at) => isLocked(store, { kind: 'root', accountId }, at ?? ctx.clock()),

    async unlockRoot(accountId) {
      await requireAccount(store.db, accountId);
      const locked = await isLocked(store, { kind: 'root', accountId }, ctx.clock());
      await clearAttempts(store, { kind: 'root', accountId });
      return locked;
    },

    async setRootPassword(accountId, password) {
      await changeRoot(accountId, password, 'Password');
    },

    async changeRootPassword(accountId, oldPassword, newPassword) {
      const result = await domain.attemptRootPassword(accountId, oldPassword);
      if (result === 'Locked') throw err.rootLocked();
      if (result === 'WrongPassword') throw err.oldPasswordIncorrect();
      await changeRoot(accountId, newPassword, 'NewPassword');
    },

    async getAlias(accountId) {
      const row = await requireAccount(store.db, accountId);
      return row.alias ?? '';
    },

    async setAlias(accountId, alias) {
      checkAlias(alias);
      await store.transaction(async (tx) => {
        const row = await requireAccount(tx, accountId);
        if (row.alias === alias) return;
        const taken = await tx
          .selectFrom('accounts')
          .select('account_id')
          .where('alias_key', '=', alias)
          .executeTakeFirst();
        if (taken) throw err.aliasExists(alias);
        await uniquely(
          () =>
            tx
              .updateTable('accounts')
              .set({ alias, alias_key: alias, update_date: nowIso(ctx) })
              .where('account_id', '=', accountId)
              .execute(),
          () => err.aliasExists(alias),
        );
      });
    },

    async clearAlias(accountId) {
      await store.transaction(async (tx) => {
        await requireAccount(tx, accountId);
        await tx
          .updateTable('accounts')
          .set({ alias: null, alias_key: null, update_date: nowIso(ctx) })
          .where('account_id', '=', accountId)
          .execute();
      });
    },

    getQuotas: (accountId) => accountQuotas(ctx, store.db, accountId),

    async setQuotas(accountId, overrides) {
      return store.transaction(async (tx) => {
        const row = await tx
          .selectFrom('accounts')
          .select('quotas')
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (!row) throw invalid(`The account does not exist: ${accountId}.`);
        const current = (row.quotas ? JSON.parse(row.quotas) : {}) as Record<string, number>;
        for (const [k, v] of Object.entries(overrides)) {
          if (!QUOTA_KEYS.includes(k as keyof Quotas)) throw invalid(`Unknown quota: ${k}.`);
          if (v === undefined) delete current[k];
          else if (!Number.isInteger(v) || v < 0) throw invalid(`Quota ${k} must be a non-negative integer.`);
          else current[k] = v;
        }
        await tx
          .updateTable('accounts')
          .set({
            quotas: Object.keys(current).length ? JSON.stringify(current) : null,
            update_date: isoSeconds(ctx.clock()),
          })
          .where('account_id', '=', accountId)
          .execute();
        return { ...ctx.quotas, ...current };
      });
    },

    async permissionsVersion(accountId) {
      const row = await store.first<{ v: number }>(PERMISSIONS_VERSION, [accountId]);
      return Number(row?.v ?? 0);
    },
  };
  return domain;
}
