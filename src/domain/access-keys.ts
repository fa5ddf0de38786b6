import { sql } from 'kysely';
import type { Tx } from '../store/index.js';
import type { AccessKey, AccessKeysDomain, CreatedAccessKey } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountQuotas,
  bumpPermissions,
  invalid,
  isoSeconds,
  lockAccount,
  nowIso,
  randomAlnum,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { lockUser, requireUser } from './rows.js';

/** The sealing context of an AccessKey secret: bound to its id, so a sealed secret cannot be moved to another key. */
export const accessKeySealContext = (accessKeyId: string): string => `ram:access-key:${accessKeyId}`;

const ID_ALNUM = 20;
const SECRET_LENGTH = 30;

/** Deletes one key (a user's or the root's) and bumps the permissions version. */
async function removeAccessKey(tx: Tx, accountId: string, accessKeyId: string): Promise<void> {
  await tx
    .deleteFrom('access_keys')
    .where('account_id', '=', accountId)
    .where('access_key_id', '=', accessKeyId)
    .execute();
  await bumpPermissions(tx, accountId);
}

function checkStatus(status: string): asserts status is 'Active' | 'Inactive' {
  if (status !== 'Active' && status !== 'Inactive') {
    throw invalid('The parameter - "Status" MUST be Active or Inactive.');
  }
}

/**
 * Creates a key for a user (userId) or for the root (null), within the per-owner quota.
 * The caller holds the transaction and has locked the account (and the user: lockUser).
 */
export async function issueAccessKey(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  userId: string | null,
): Promise<CreatedAccessKey> {
  const quotas = await accountQuotas(ctx, tx, accountId);
  const max = userId === null ? quotas.accessKeysPerRoot : quotas.accessKeysPerUser;
  const owned = await tx
    .selectFrom('access_keys')
    .select(sql<string | number>`count(*)`.as('n'))
    .where('account_id', '=', accountId)
    .where((eb) => (userId === null ? eb('user_id', 'is', null) : eb('user_id', '=', userId)))
    .executeTakeFirst();
  if (Number(owned?.n ?? 0) >= max) throw err.accessKeyLimit(max);
  const accessKeyId = `LTAI${randomAlnum(ID_ALNUM)}`;
  const secret = randomAlnum(SECRET_LENGTH);
  const now = nowIso(ctx);
  await uniquely(
    () =>
      tx
        .insertInto('access_keys')
        .values({
          access_key_id: accessKeyId,
          account_id: accountId,
          user_id: userId,
          secret_sealed: ctx.sealer.seal(secret, accessKeySealContext(accessKeyId)),
          status: 'Active',
          create_date: now,
          last_used_date: null,
        })
        .execute(),
    () => new Error('access key id collision'),
  );
  return { accessKeyId, accessKeySecret: secret, status: 'Active', createDate: now };
}

type KeyRow = { access_key_id: string; status: string; create_date: string };
const keyFromRow = (r: KeyRow, owner?: { userName: string; userId: string }): AccessKey => ({
  accessKeyId: r.access_key_id,
  status: r.status === 'Inactive' ? 'Inactive' : 'Active',
  createDate: r.create_date,
  ...(owner ? { userName: owner.userName, userId: owner.userId } : {}),
});

/** Writes of LastUsedDate are skipped when the same key was recorded less than this long ago. */
const RECORD_INTERVAL_MS = 60_000;
const RECORD_CACHE_MAX = 100_000;

export function createAccessKeys(ctx: DomainContext): AccessKeysDomain {
  const { store } = ctx;
  const lastRecorded = new Map<string, number>();

  async function requireUserKey(tx: Tx, accountId: string, userId: string, accessKeyId: string) {
    const row = await tx
      .selectFrom('access_keys')
      .select(['access_key_id', 'status', 'create_date', 'last_used_date'])
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    if (!row) throw err.accessKeyNotExist(accessKeyId);
    return row;
  }

  async function requireRootKey(tx: Tx, accountId: string, accessKeyId: string) {
    const row = await tx
      .selectFrom('access_keys')
      .select(['access_key_id'])
      .where('account_id', '=', accountId)
      .where('user_id', 'is', null)
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    if (!row) throw invalid(`The access key does not exist: ${accessKeyId}.`);
  }

  return {
    async create(accountId, userName) {
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await lockUser(ctx, tx, accountId, userName);
        const key = await issueAccessKey(ctx, tx, accountId, user.user_id);
        return { ...key, userName: user.user_name, userId: user.user_id };
      });
    },

    async updateStatus(accountId, userName, accessKeyId, status) {
      checkStatus(status);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await requireUser(tx, accountId, userName);
        await requireUserKey(tx, accountId, user.user_id, accessKeyId);
        await tx
          .updateTable('access_keys')
          .set({ status })
          .where('account_id', '=', accountId)
          .where('access_key_id', '=', accessKeyId)
          .execute();
        await bumpPermissions(tx, accountId);
      });
    },

    async delete(accountId, userName, accessKeyId) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await requireUser(tx, accountId, userName);
        await requireUserKey(tx, accountId, user.user_id, accessKeyId);
        await removeAccessKey(tx, accountId, accessKeyId);
      });
    },

    async list(accountId, userName) {
      const user = await requireUser(store.db, accountId, userName);
      const rows = await store.db
        .selectFrom('access_keys')
        .select(['access_key_id', 'status', 'create_date'])
        .where('account_id', '=', accountId)
        .where('user_id', '=', user.user_id)
        .orderBy('create_date')
        .orderBy('access_key_id')
        .execute();
      return rows.map((r) => keyFromRow(r, { userName: user.user_name, userId: user.user_id }));
    },

    async getLastUsed(accountId, userName, accessKeyId) {
      const user = await requireUser(store.db, accountId, userName);
      const row = await requireUserKey(store.db, accountId, user.user_id, accessKeyId);
      return row.last_used_date ? { lastUsedDate: row.last_used_date } : {};
    },

    async getRootLastUsed(accountId, accessKeyId) {
      const row = await store.db
        .selectFrom('access_keys')
        .select(['last_used_date'])
        .where('account_id', '=', accountId)
        .where('user_id', 'is', null)
        .where('access_key_id', '=', accessKeyId)
        .executeTakeFirst();
      if (!row) throw err.accessKeyNotExist(accessKeyId);
      return row.last_used_date ? { lastUsedDate: row.last_used_date } : {};
    },

    async listRoot(accountId) {
      const rows = await store.db
        .selectFrom('access_keys')
        .select(['access_key_id', 'status', 'create_date'])
        .where('account_id', '=', accountId)
        .where('user_id', 'is', null)
        .orderBy('create_date')
        .orderBy('access_key_id')
        .execute();
      return rows.map((r) => keyFromRow(r));
    },

    async updateRootStatus(accountId, accessKeyId, status) {
      checkStatus(status);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        await requireRootKey(tx, accountId, accessKeyId);
        await tx
          .updateTable('access_keys')
          .set({ status })
          .where('account_id', '=', accountId)
          .where('access_key_id', '=', accessKeyId)
          .execute();
        await bumpPermissions(tx, accountId);
      });
    },

    async deleteRoot(accountId, accessKeyId) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        await requireRootKey(tx, accountId, accessKeyId);
        await removeAccessKey(tx, accountId, accessKeyId);
      });
    },

    recordUse(accessKeyId, at) {
      const when = at ?? ctx.clock();
      const ms = when.getTime();
      const prev = lastRecorded.get(accessKeyId);
      // Recorded within the interval: nothing to write, and nothing to wait for.
      if (prev !== undefined && ms - prev < RECORD_INTERVAL_MS && ms >= prev) return undefined;
      if (lastRecorded.size >= RECORD_CACHE_MAX) lastRecorded.clear();
      lastRecorded.set(accessKeyId, ms);
      const iso = isoSeconds(when);
      // Only moves forward; several nodes may record the same key.
      return store
        .transaction((tx) =>
          tx
            .updateTable('access_keys')
            .set({ last_used_date: iso })
            .where('access_key_id', '=', accessKeyId)
            .where((eb) => eb.or([eb('last_used_date', 'is', null), eb('last_used_date', '<', iso)]))
            .execute(),
        )
        .then(() => undefined);
    },
  };
}
