import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { sqliteTarget, storeSuite } from './store.suite.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';

storeSuite(sqliteTarget);

if (pgAvailable) {
  storeSuite({
    name: 'postgres',
    async setup() {
      const db = await createTestDatabase();
      return { options: { databaseUrl: db.url, poolSize: 4 }, cleanup: db.drop };
    },
  });
} else {
  console.warn(pgSkipReason);
  describe.skip(`store [postgres]: ${pgSkipReason}`, () => {
    it('runs the store suite on PostgreSQL', () => undefined);
  });
}

describe('SQLite file layout', () => {
  it('creates a new database with 16 KiB pages in WAL mode, and opens an older 4 KiB one as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-pages-'));
    try {
      const fresh = join(dir, 'fresh.db');
      const store = openSqliteStore({ file: fresh });
      await store.migrate();
      await store.close();
      const check = (file: string) => {
        const db = new Database(file, { readonly: true });
        try {
          return [db.pragma('page_size', { simple: true }), db.pragma('journal_mode', { simple: true })];
        } finally {
          db.close();
        }
      };
      expect(check(fresh)).toEqual([16384, 'wal']);
      // A database made with 4 KiB pages (the size before) keeps them: a page size is fixed once written.
      const older = join(dir, 'older.db');
      const made = new Database(older);
      made.pragma('journal_mode = WAL');
      made.exec('create table t (x)');
      made.close();
      const reopened = openSqliteStore({ file: older });
      await reopened.migrate();
      await reopened.close();
      expect(check(older)).toEqual([4096, 'wal']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
