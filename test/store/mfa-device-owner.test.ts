import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Migrator, type Kysely } from 'kysely';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { bareAccount } from './store.suite.js';

/** Migration 004 on both stores: every device already there is nobody's own. */
const targets: readonly {
  name: string;
  available: boolean;
  setup: () => Promise<{ options: OpenStoreOptions; cleanup: () => Promise<void> }>;
}[] = [
  {
    name: 'sqlite',
    available: true,
    async setup() {
      const dir = mkdtempSync(join(tmpdir(), 'rampart-m004-'));
      return {
        options: { dataDir: dir },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async setup() {
      const db = await createTestDatabase();
      return { options: { databaseUrl: db.url, poolSize: 2 }, cleanup: db.drop };
    },
  },
];

if (!pgAvailable) console.warn(pgSkipReason);

for (const target of targets) {
  describe.skipIf(!target.available)(`migration 004_mfa_device_owner [${target.name}]`, () => {
    it('adds owner_user_id, null for the devices already there', async () => {
      const { options, cleanup } = await target.setup();
      const store = await openStore({ ...options, skipMigrations: true });
      try {
        const migrator = new Migrator({
          db: store.db,
          provider: { getMigrations: async () => ({ ...migrations }) },
          migrationTableName: 'rampart_migration',
          migrationLockTableName: 'rampart_migration_lock',
        });
        expect((await migrator.migrateTo('003_deployment')).error).toBeUndefined();
        const now = '2026-01-01T00:00:00Z';
        const before = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        await before.insertInto('accounts').values(bareAccount('1000000000000001', now)).execute();
        await before
          .insertInto('mfa_devices')
          .values({
            account_id: '1000000000000001',
            name_key: 'old',
            device_name: 'old',
            serial_number: 'acs:ram::1000000000000001:mfa/old',
            seed_sealed: 'x',
            user_id: null,
            activate_date: null,
            last_step: null,
            create_date: now,
          })
          .execute();
        await store.migrate();
        const rows = await store.db.selectFrom('mfa_devices').select(['name_key', 'owner_user_id']).execute();
        expect(rows).toEqual([{ name_key: 'old', owner_user_id: null }]);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  });
}
