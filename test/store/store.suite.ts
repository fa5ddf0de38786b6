import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStore, isUniqueViolation, type Store } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createDomain } from '../../src/domain/create.js';
import { createServices } from '../../src/domain/services.js';
import { createSealer } from '../../src/crypto/seal.js';
import { ApiError } from '../../src/api/errors.js';

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

/** The store contract, run once per engine. */
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

    it('rolls a failed transaction back completely', async () => {
      const now = '2026-01-01T00:00:00Z';
      const id = `9${randomBytes(4).readUInt32BE() % 10 ** 9}`.padEnd(16, '0');
      await expect(
        a.transaction(async (tx) => {
          await tx
            .insertInto('accounts')
            .values({
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
            })
            .execute();
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
  });
}
