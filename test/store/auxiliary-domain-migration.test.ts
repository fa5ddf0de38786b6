import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Migrator, type Kysely } from 'kysely';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { bareAccount } from './store.suite.js';

/**
 * Migration 017 on both stores: auxiliary domains become unique; where several accounts already
 * hold one (ignoring case), the account created first keeps it, the others lose it, and each
 * loss is written to operator_log and standard error.
 */
const targets: readonly {
  name: string;
  available: boolean;
  setup: () => Promise<{ options: OpenStoreOptions; cleanup: () => Promise<void> }>;
}[] = [
  {
    name: 'sqlite',
    available: true,
    async setup() {
      const dir = mkdtempSync(join(tmpdir(), 'rampart-m017-'));
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

const sso = (auxiliaryDomain: string) =>
  JSON.stringify({ metadataDocument: '', ssoEnabled: false, auxiliaryDomain, authnSignAlgo: 'rsa-sha1' });

for (const target of targets) {
  describe.skipIf(!target.available)(`migration 017_auxiliary_domain_mfa_tickets [${target.name}]`, () => {
    let warn: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => warn.mockRestore());

    it('keeps a duplicated auxiliary domain on the oldest account, clears the others and records it', async () => {
      const { options, cleanup } = await target.setup();
      const store = await openStore({ ...options, skipMigrations: true });
      try {
        const migrator = new Migrator({
          db: store.db,
          provider: { getMigrations: async () => ({ ...migrations }) },
          migrationTableName: 'rampart_migration',
          migrationLockTableName: 'rampart_migration_lock',
          allowUnorderedMigrations: true,
        });
        expect((await migrator.migrateTo('015_rd_invitations')).error).toBeUndefined();
        const before = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        const rows: [string, string, string | null][] = [
          ['1000000000000003', '2026-01-03T00:00:00Z', sso('Corp.Example.com')],
          ['1000000000000001', '2026-01-01T00:00:00Z', sso('corp.example.com')],
          ['1000000000000002', '2026-01-02T00:00:00Z', sso('other.example.com')],
          ['1000000000000004', '2026-01-04T00:00:00Z', sso('')],
          ['1000000000000005', '2026-01-05T00:00:00Z', null],
        ];
        for (const [id, at, settings] of rows) {
          await before
            .insertInto('accounts')
            .values({ ...bareAccount(id, at), user_sso_settings: settings })
            .execute();
        }
        await store.migrate();
        const after = await store.db
          .selectFrom('accounts')
          .select(['account_id', 'auxiliary_domain', 'user_sso_settings'])
          .orderBy('account_id')
          .execute();
        expect(after.map((r) => [r.account_id, r.auxiliary_domain])).toEqual([
          ['1000000000000001', 'corp.example.com'],
          ['1000000000000002', 'other.example.com'],
          ['1000000000000003', null],
          ['1000000000000004', null],
          ['1000000000000005', null],
        ]);
        const cleared = JSON.parse(after[2]!.user_sso_settings!) as Record<string, unknown>;
        expect(cleared).toMatchObject({ auxiliaryDomain: '', authnSignAlgo: 'rsa-sha1' });
        const log = await store.db.selectFrom('operator_log').selectAll().execute();
        expect(log.map((l) => [l.action, l.account_id, JSON.parse(l.detail)])).toEqual([
          [
            'migration.auxiliary-domain-cleared',
            '1000000000000003',
            { auxiliaryDomain: 'corp.example.com', keptByAccountId: '1000000000000001' },
          ],
        ]);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toContain('corp.example.com');
        // From now on the store itself refuses a second holder.
        await expect(
          store.db
            .updateTable('accounts')
            .set({ auxiliary_domain: 'corp.example.com' })
            .where('account_id', '=', '1000000000000002')
            .execute(),
        ).rejects.toMatchObject({ code: expect.stringMatching(/^(SQLITE_CONSTRAINT_UNIQUE|23505)$/) });
      } finally {
        await store.close();
        await cleanup();
      }
    });
  });
}
