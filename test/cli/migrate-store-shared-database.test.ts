/**
 * `rampart migrate-store` into a PostgreSQL database that also holds another application's
 * table: only Rampart's tables are copied and compared, so the copy verifies and the other
 * table is left as it was.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampartJson } from '../helpers/cli.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';

if (!pgAvailable) console.warn(pgSkipReason);

describe.skipIf(!pgAvailable)('rampart migrate-store into a shared database', () => {
  let s: TestServer;
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    s = await startServer();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await s?.stop();
    await db?.drop();
  });

  it("copies and verifies beside another application's table, which it leaves alone", async () => {
    const root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    expect((await v3Call(s, root, 'CreateUser', { UserName: 'alice' })).status).toBe(200);
    s.process.kill('SIGTERM');
    await new Promise((r) => s.process.once('exit', r));
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('create table inventory (sku text primary key)');
      await other.query("insert into inventory values ('a-1'), ('a-2')");
      const copied = await rampartJson<{
        ok: boolean;
        differences: string[];
        counts: Record<string, number>;
      }>(['migrate-store', '--from', s.dataDir, '--to', db.url]);
      expect(copied.differences).toEqual([]);
      expect(copied.ok).toBe(true);
      expect(copied.counts.users).toBe(1);
      const left = await other.query<{ sku: string }>('select sku from inventory order by sku');
      expect(left.rows.map((r) => r.sku)).toEqual(['a-1', 'a-2']);
    } finally {
      await other.end();
    }
  });
});
