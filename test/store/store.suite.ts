import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import { hotQuery, openStore, isUniqueViolation, type Database, type Store } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createDomain } from '../../src/domain/create.js';
import { createServices } from '../../src/domain/services.js';
import { createSealer } from '../../src/crypto/seal.js';
import { ApiError } from '../../src/errors.js';

/** A minimal accounts row, written straight to the table (no domain involved). */
export const bareAccount = (id: string, now: string) => ({
  account_id: id,
  alias: null,
  alias_key: null,
  root_password_hash: 'x',
  permissions_version: 0,
  quotas: null,
  password_policy: null,
  security_preference: null,
  create_date: now,
  update_date: now,
});

/** How a suite reaches a database: a location two Store instances can share. */
export interface StoreTarget {
  readonly name: string;
  /** Creates a fresh empty location and returns openStore options for it, plus a cleanup. */
  setup(): Promise<{ options: Parameters<typeof openStore>[0]; cleanup: () => Promise<void> }>;
}

export const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-store-'));
    return { options: { dataDir: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

/** The counted tables and the accounts column counting each. */
const COUNTED = [
  ['users', 'user_count'],
  ['user_groups', 'group_count'],
  ['roles', 'role_count'],
  ['policies', 'policy_count'],
  ['mfa_devices', 'mfa_device_count'],
] as const;

/** For one account: each counter next to the real number of rows it counts. */
async function countersAndRows(
  db: Kysely<Database>,
  accountId: string,
): Promise<{ counters: Record<string, number>; rows: Record<string, number> }> {
  const account = await db
    .selectFrom('accounts')
    .select(COUNTED.map(([, c]) => c))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  const counters: Record<string, number> = {};
  const rows: Record<string, number> = {};
  for (const [table, column] of COUNTED) {
    counters[table] = Number(account[column]);
    const n = await db
      .selectFrom(table)
      .select(sql<string | number>`count(*)`.as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    rows[table] = Number(n.n);
  }
  return { counters, rows };
}

const permissionDoc = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }],
});

/** The store contract, run once per engine. */
/** The nonce rows of a key: SQLite's nonce log (a file of its own), PostgreSQL's table. */
async function storedNonceCount(store: Store, accessKeyId: string): Promise<number> {
  if (store.nonceLogFile) {
    const log = new SqliteDatabase(store.nonceLogFile, { readonly: true });
    try {
      const row = log
        .prepare('select count(*) as n from nonce_log where access_key_id = ?')
        .get(accessKeyId) as { n: number };
      return row.n;
    } finally {
      log.close();
    }
  }
  const row = await store.db
    .selectFrom('nonces')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('access_key_id', '=', accessKeyId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function storeSuite(target: StoreTarget): void {
  describe(`store [${target.name}]`, () => {
    let options: Parameters<typeof openStore>[0];
    let cleanup: () => Promise<void>;
    let a: Store;
    let b: Store;

    beforeAll(async () => {
      ({ options, cleanup } = await target.setup());
      a = await openStore(options);
      b = await openStore(options);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await cleanup?.();
    });

    it('answers ping and names its dialect', async () => {
      await a.ping();
      expect(a.dialect).toBe(target.name);
    });

    it('records every migration once; running them again changes nothing', async () => {
      await a.migrate();
      await b.migrate();
      const rows = await sql<{ name: string }>`select name from rampart_migration order by name`.execute(
        a.db,
      );
      expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
    });

    it('refuses a schema migrated by a later version, naming its migration, and changes nothing', async () => {
      const later = '999_later_feature';
      const executed = new Date().toISOString();
      await sql`insert into rampart_migration (name, timestamp) values (${later}, ${executed})`.execute(a.db);
      try {
        await expect(a.migrate()).rejects.toThrow(
          /migrated by a later version of Rampart \(migration 999_later_feature, which this version does not have\)/,
        );
        const rows = await sql<{ name: string }>`select name from rampart_migration order by name`.execute(
          a.db,
        );
        expect(rows.rows.map((r) => r.name)).toEqual([...Object.keys(migrations), later].sort());
      } finally {
        await sql`delete from rampart_migration where name = ${later}`.execute(a.db);
      }
      await a.migrate();
    });

    it('rolls a failed transaction back completely', async () => {
      const now = '2026-01-01T00:00:00Z';
      const id = `9${randomBytes(4).readUInt32BE() % 10 ** 9}`.padEnd(16, '0');
      await expect(
        a.transaction(async (tx) => {
          await tx.insertInto('accounts').values(bareAccount(id, now)).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const found = await a.db
        .selectFrom('accounts')
        .select('account_id')
        .where('account_id', '=', id)
        .execute();
      expect(found).toEqual([]);
    });

    it('answers a hot read as a row keyed by column name, the same inside a transaction and out', async () => {
      const now = '2026-01-01T00:00:00Z';
      const id = `8${randomBytes(4).readUInt32BE() % 10 ** 9}`.padEnd(16, '0');
      await a.transaction(async (tx) => {
        await tx.insertInto('accounts').values(bareAccount(id, now)).execute();
      });
      const query = hotQuery(
        'test_account_columns',
        // A repeated name keeps its last value; a column of NULL is there, as null.
        'select account_id as v, alias, create_date as v, permissions_version from accounts where account_id = ?',
      );
      const want = { v: now, alias: null, permissions_version: 0 };
      const plain = await a.first<Record<string, unknown>>(query, [id]);
      expect({ ...plain, permissions_version: Number(plain?.permissions_version) }).toEqual(want);
      expect(await a.first(query, ['0000000000000000'])).toBeUndefined();
      // While a transaction is open on the store's connection, hot reads take another one.
      await a.transaction(async (tx) => {
        await tx.updateTable('accounts').set({ alias: 'inside' }).where('account_id', '=', id).execute();
        const outside = await a.first<Record<string, unknown>>(query, [id]);
        expect({ ...outside, permissions_version: Number(outside?.permissions_version) }).toEqual(want);
      });
      expect(await b.first(query, [id])).toMatchObject({ alias: 'inside' });
    });

    it('enforces unique names per account in the database, ignoring case', async () => {
      const domain = createDomain(a, {
        sealer: createSealer([{ id: 'k', key: randomBytes(32) }]),
        scrypt: { logN: 10, r: 8, p: 1 },
      });
      const { accountId } = await domain.accounts.create({ rootPassword: 'password-1' });
      const now = '2026-01-01T00:00:00Z';
      const row = (id: string, name: string) => ({
        account_id: accountId,
        user_id: id,
        user_name: name,
        name_key: name.toLowerCase(),
        display_name: null,
        email: null,
        mobile_phone: null,
        comments: null,
        create_date: now,
        update_date: now,
        last_login_date: null,
      });
      await a.db.insertInto('users').values(row('1000000000000001', 'Dup')).execute();
      let caught: unknown;
      try {
        await a.db.insertInto('users').values(row('1000000000000002', 'dUP')).execute();
      } catch (e) {
        caught = e;
      }
      expect(isUniqueViolation(caught)).toBe(true);
    });

    it('gives one success and one EntityAlreadyExists to concurrent creates from two stores', async () => {
      const sealer = createSealer([{ id: 'k', key: randomBytes(32) }]);
      const da = createDomain(a, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const db = createDomain(b, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const { accountId } = await da.accounts.create({ rootPassword: 'password-1' });
      for (let round = 0; round < 5; round++) {
        const name = `racer${round}`;
        const results = await Promise.allSettled([
          da.users.create(accountId, { userName: name }),
          db.users.create(accountId, { userName: name.toUpperCase() }),
          da.groups.create(accountId, { groupName: name }),
          db.groups.create(accountId, { groupName: name }),
        ]);
        const users = results.slice(0, 2);
        const groups = results.slice(2);
        for (const [pair, code] of [
          [users, 'EntityAlreadyExists.User'],
          [groups, 'EntityAlreadyExists.Group'],
        ] as const) {
          expect(pair.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          const rejected = pair.find((r) => r.status === 'rejected') as PromiseRejectedResult;
          expect(rejected.reason).toBeInstanceOf(ApiError);
          expect((rejected.reason as ApiError).code).toBe(code);
        }
      }
      expect((await da.users.list(accountId)).items).toHaveLength(5);
    });

    it('lets one node only claim a nonce', async () => {
      const sealer = createSealer([{ id: 'k', key: randomBytes(32) }]);
      const da = createDomain(a, { sealer });
      const db = createDomain(b, { sealer });
      const sa = createServices(a, da, sealer);
      const sb = createServices(b, db, sealer);
      const exp = new Date(Date.now() + 60_000);
      const nonce = randomBytes(8).toString('hex');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? sa : sb).nonces.claim('LTAIshared', nonce, exp)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('claims a group of nonces in one commit; a claim the database refuses fails alone', async () => {
      const now = new Date('2026-06-01T00:00:00.000Z');
      const later = new Date(now.getTime() + 30 * 60_000).toISOString();
      const past = new Date(now.getTime() - 1000).toISOString();
      const key = `LTAIgroup${randomBytes(4).toString('hex')}`;
      // An expired row may be taken over; a live one may not.
      expect(
        await a.claimNonces(
          [
            { accessKeyId: key, nonce: 'expired', expiresAt: past },
            { accessKeyId: key, nonce: 'live', expiresAt: later },
          ],
          new Date(now.getTime() - 60_000).toISOString(),
          false,
        ),
      ).toEqual([true, true]);
      const results = await a.claimNonces(
        [
          { accessKeyId: key, nonce: 'fresh-1', expiresAt: later },
          { accessKeyId: key, nonce: 'live', expiresAt: later },
          // NOT NULL: the database refuses this one claim.
          { accessKeyId: key, nonce: null as unknown as string, expiresAt: later },
          { accessKeyId: key, nonce: 'expired', expiresAt: later },
          { accessKeyId: key, nonce: 'fresh-2', expiresAt: later },
        ],
        now.toISOString(),
        false,
      );
      expect(results.map((r) => (r instanceof Error ? 'error' : r))).toEqual([
        true,
        false,
        'error',
        true,
        true,
      ]);
      // What was claimed is held: every node sees it.
      expect(
        await b.claimNonces(
          ['fresh-1', 'fresh-2', 'expired', 'never'].map((nonce) => ({
            accessKeyId: key,
            nonce,
            expiresAt: later,
          })),
          now.toISOString(),
          false,
        ),
      ).toEqual([false, false, false, true]);
      // A purge removes expired rows only (on SQLite, whole minutes of expiry once past).
      const purgedAt = new Date(Date.parse(later) + 61_000);
      const fresh = new Date(purgedAt.getTime() + 30 * 60_000).toISOString();
      expect(
        await a.claimNonces(
          [{ accessKeyId: `${key}-other`, nonce: 'kept', expiresAt: fresh }],
          purgedAt.toISOString(),
          false,
        ),
      ).toEqual([true]);
      await b.claimNonces([], purgedAt.toISOString(), true);
      expect(await storedNonceCount(b, key)).toBe(0);
      expect(await storedNonceCount(b, `${key}-other`)).toBe(1);
      // Past its expiry a nonce may be claimed again, by any node.
      expect(
        await a.claimNonces(
          [{ accessKeyId: key, nonce: 'live', expiresAt: fresh }],
          purgedAt.toISOString(),
          false,
        ),
      ).toEqual([true]);
    });

    it('refuses the same nonce twice in one group of concurrent claims', async () => {
      const sealer = createSealer([{ id: 'k', key: randomBytes(32) }]);
      const services = createServices(a, createDomain(a, { sealer }), sealer);
      const exp = new Date(Date.now() + 60_000);
      const nonce = randomBytes(8).toString('hex');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => services.nonces.claim('LTAItwice', nonce, exp)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps quotas under concurrent creates', async () => {
      const sealer = createSealer([{ id: 'k', key: randomBytes(32) }]);
      const da = createDomain(a, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const db = createDomain(b, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const { accountId } = await da.accounts.create({ rootPassword: 'password-1' });
      await da.accounts.setQuotas(accountId, { rolesPerAccount: 3 });
      const trust = JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
        ],
      });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? da : db).roles.create(accountId, { roleName: `r${i}`, assumeRolePolicyDocument: trust }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as ApiError).code).toBe('LimitExceeded.Role');
      }
    });

    it('keeps the entity counters equal to the rows through creates, deletes and refusals', async () => {
      const sealer = createSealer([{ id: 'k', key: randomBytes(32) }]);
      const da = createDomain(a, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const db = createDomain(b, { sealer, scrypt: { logN: 10, r: 8, p: 1 } });
      const { accountId } = await da.accounts.create({ rootPassword: 'password-1' });
      const other = await da.accounts.create({ rootPassword: 'password-1' });
      await da.accounts.setQuotas(accountId, { usersPerAccount: 3 });
      const trust = JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
        ],
      });
      for (const n of [1, 2, 3]) await da.users.create(accountId, { userName: `u${n}` });
      await da.users.create(other.accountId, { userName: 'u1' });
      const refusals = await Promise.allSettled([
        da.users.create(accountId, { userName: 'U1' }),
        da.users.create(accountId, { userName: 'u4' }),
        da.groups
          .create(accountId, { groupName: 'g1' })
          .then(() => da.groups.create(accountId, { groupName: 'G1' })),
        da.roles.create(accountId, { roleName: 'r1', assumeRolePolicyDocument: trust }),
        da.policies.create(accountId, { policyName: 'p1', policyDocument: permissionDoc }),
        da.mfa.createVirtual(accountId, 'm1'),
      ]);
      expect(refusals.map((r) => (r.status === 'rejected' ? (r.reason as ApiError).code : 'ok'))).toEqual([
        'EntityAlreadyExists.User',
        'LimitExceeded.User',
        'EntityAlreadyExists.Group',
        'ok',
        'ok',
        'ok',
      ]);
      await da.groups.create(accountId, { groupName: 'g2' });
      await da.roles.create(accountId, { roleName: 'r2', assumeRolePolicyDocument: trust });
      const p2 = await da.policies.create(accountId, { policyName: 'p2', policyDocument: permissionDoc });
      await da.policies.createVersion(accountId, p2.policyName, {
        policyDocument: permissionDoc,
        setAsDefault: true,
      });
      await da.attachments.attach(accountId, { kind: 'role', roleName: 'r2' }, 'Custom', 'p2');
      const m2 = await da.mfa.createVirtual(accountId, 'm2');
      expect(await countersAndRows(a.db, accountId)).toEqual({
        counters: { users: 3, user_groups: 2, roles: 2, policies: 2, mfa_devices: 2 },
        rows: { users: 3, user_groups: 2, roles: 2, policies: 2, mfa_devices: 2 },
      });

      // Two nodes delete the same entities at once: each row is counted out once.
      const deletes = await Promise.allSettled([
        da.users.delete(accountId, 'u2'),
        db.users.delete(accountId, 'u2'),
        da.groups.delete(accountId, 'g1'),
        db.groups.delete(accountId, 'g1'),
        da.roles.delete(accountId, 'r1'),
        db.roles.delete(accountId, 'r1'),
        da.policies.delete(accountId, 'p2', { cascadingDelete: true }),
        db.policies.delete(accountId, 'p2', { cascadingDelete: true }),
        da.mfa.deleteVirtual(accountId, m2.serialNumber),
        db.mfa.deleteVirtual(accountId, m2.serialNumber),
      ]);
      // Every delete locks the account: the second delete of a pair finds nothing.
      for (let i = 0; i < 10; i += 2) {
        expect([i, deletes.slice(i, i + 2).filter((r) => r.status === 'fulfilled').length]).toEqual([i, 1]);
      }
      await db.users.create(accountId, { userName: 'u4' });
      await db.users.delete(accountId, 'u1');
      await db.users.delete(accountId, 'u3');
      expect(await countersAndRows(a.db, accountId)).toEqual({
        counters: { users: 1, user_groups: 1, roles: 1, policies: 1, mfa_devices: 1 },
        rows: { users: 1, user_groups: 1, roles: 1, policies: 1, mfa_devices: 1 },
      });
      expect(await countersAndRows(a.db, other.accountId)).toEqual({
        counters: { users: 1, user_groups: 0, roles: 0, policies: 0, mfa_devices: 0 },
        rows: { users: 1, user_groups: 0, roles: 0, policies: 0, mfa_devices: 0 },
      });
    });

    it('starts the entity counters from the rows present when the counters arrive', async () => {
      const fresh = await target.setup();
      const store = await openStore({ ...fresh.options, skipMigrations: true });
      try {
        const migrator = new Migrator({
          db: store.db,
          provider: { getMigrations: async () => ({ ...migrations }) },
          migrationTableName: 'rampart_migration',
          migrationLockTableName: 'rampart_migration_lock',
        });
        const first = await migrator.migrateTo('001_initial');
        expect(first.error).toBeUndefined();
        const now = '2026-01-01T00:00:00Z';
        const accounts = ['1000000000000001', '1000000000000002', '1000000000000003'];
        // The schema before the counters: the rows of today's types minus the counter columns.
        const before = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        for (const id of accounts) {
          await before.insertInto('accounts').values(bareAccount(id, now)).execute();
        }
        const [x, y] = accounts as [string, string, string];
        const dates = { create_date: now, update_date: now };
        for (const [account, n] of [
          [x, 3],
          [y, 1],
        ] as const) {
          for (let i = 0; i < n; i++) {
            const name = `n${i}`;
            await before
              .insertInto('users')
              .values({
                account_id: account,
                user_id: `u${i}`,
                user_name: name,
                name_key: name,
                display_name: null,
                email: null,
                mobile_phone: null,
                comments: null,
                last_login_date: null,
                ...dates,
              })
              .execute();
            await before
              .insertInto('user_groups')
              .values({
                account_id: account,
                group_id: `g${i}`,
                group_name: name,
                name_key: name,
                display_name: null,
                comments: null,
                ...dates,
              })
              .execute();
            await before
              .insertInto('roles')
              .values({
                account_id: account,
                role_id: `r${i}`,
                role_name: name,
                name_key: name,
                description: null,
                trust_policy: '{}',
                max_session_duration: 3600,
                ...dates,
              })
              .execute();
            await before
              .insertInto('policies')
              .values({
                account_id: account,
                policy_id: `p${i}`,
                policy_name: name,
                name_key: name,
                description: null,
                default_version: 1,
                next_version: 2,
                ...dates,
              })
              .execute();
            await before
              .insertInto('mfa_devices')
              .values({
                account_id: account,
                name_key: name,
                device_name: name,
                serial_number: `acs:ram::${account}:mfa/${name}`,
                seed_sealed: 'x',
                user_id: null,
                activate_date: null,
                last_step: null,
                create_date: now,
              })
              .execute();
          }
        }
        await store.migrate();
        for (const [account, n] of [
          [x, 3],
          [y, 1],
          [accounts[2] as string, 0],
        ] as const) {
          const all = { users: n, user_groups: n, roles: n, policies: n, mfa_devices: n };
          expect(await countersAndRows(store.db, account)).toEqual({ counters: all, rows: all });
        }
        // The counters go on from there.
        const domain = createDomain(store, { sealer: createSealer([{ id: 'k', key: randomBytes(32) }]) });
        await domain.users.create(x, { userName: 'later' });
        await domain.groups.delete(x, 'n0');
        expect((await countersAndRows(store.db, x)).counters).toEqual({
          users: 4,
          user_groups: 2,
          roles: 3,
          policies: 3,
          mfa_devices: 3,
        });
      } finally {
        await store.close();
        await fresh.cleanup();
      }
    });
  });
}
