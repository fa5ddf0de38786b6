/**
 * Nodes started together on an empty PostgreSQL database (one master key, each its own data
 * directory): one of them creates the first account, the others find it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/nodes.js';
import { createTestDatabase, pgAvailable } from '../helpers/pg.js';

describe.skipIf(!pgAvailable)('nodes started together on an empty PostgreSQL database', () => {
  const nodes: TestNode[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const c of cleanups.reverse()) await c();
  });

  it('create one first account between them', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const root = mkdtempSync(join(tmpdir(), 'rampart-first-start-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const key = randomBytes(32).toString('hex');
    const dirs = ['a', 'b', 'c'].map((n) => {
      const dir = join(root, n);
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'master.key'), `${key}\n`, { mode: 0o600 });
      return dir;
    });
    nodes.push(...(await Promise.all(dirs.map((dataDir) => startNode({ dataDir, databaseUrl: db.url })))));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from accounts');
      expect(Number(rows[0]!.n)).toBe(1);
    } finally {
      await client.end();
    }
  }, 60_000);
});
