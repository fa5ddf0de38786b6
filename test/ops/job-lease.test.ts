/**
 * The job gate on two stores opened on one database (two nodes): a scheduled run is claimed
 * once per period, forced runs never overlap, and a run that fails releases the lock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobGate } from '../../src/ops/job-lease.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';

if (!pgAvailable) console.warn(pgSkipReason);

const HOUR = 3_600_000;

function suite(name: string, open: () => Promise<{ stores: [Store, Store]; cleanup: () => Promise<void> }>) {
  describe(`job gate [${name}]`, () => {
    let stores: [Store, Store];
    let cleanup: () => Promise<void>;
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = () => now;
    beforeAll(async () => ({ stores, cleanup } = await open()));
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await cleanup();
    });

    it('claims a scheduled run once per period between two nodes', async () => {
      const gates = stores.map((s, i) => createJobGate(s, clock, { node: `node-${i}` }));
      let runs = 0;
      const run = async () => {
        runs++;
        return 'ran';
      };
      const first = await Promise.all(gates.map((g) => g('periodic', HOUR, false, run)));
      expect(first.filter((x) => x === 'ran')).toHaveLength(1);
      expect(runs).toBe(1);
      now = new Date(now.getTime() + HOUR / 2);
      expect(await Promise.all(gates.map((g) => g('periodic', HOUR, false, run)))).toEqual([
        undefined,
        undefined,
      ]);
      now = new Date(now.getTime() + HOUR / 2);
      const next = await Promise.all(gates.map((g) => g('periodic', HOUR, false, run)));
      expect(next.filter((x) => x === 'ran')).toHaveLength(1);
      expect(runs).toBe(2);
      const row = await stores[0].db
        .selectFrom('job_runs')
        .selectAll()
        .where('name', '=', 'periodic')
        .executeTakeFirst();
      expect(row?.runs).toBe(2);
    });

    it('never runs a job on two nodes at once, and a failed run lets the next one in', async () => {
      const gates = [
        createJobGate(stores[0], clock, { node: 'node-0' }),
        createJobGate(stores[1], clock, { node: 'node-1' }),
      ] as const;
      let running = 0;
      let most = 0;
      const slow = async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        return 'ran';
      };
      await Promise.all([gates[0]('forced', HOUR, true, slow), gates[1]('forced', HOUR, true, slow)]);
      expect(most).toBe(1);
      await expect(
        gates[0]('forced', HOUR, true, async () => {
          throw new Error('store unreachable');
        }),
      ).rejects.toThrow('store unreachable');
      expect(await gates[1]('forced', HOUR, true, slow)).toBe('ran');
    });
  });
}

suite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-jobs-'));
  const stores: [Store, Store] = [await openStore({ dataDir: dir }), await openStore({ dataDir: dir })];
  return { stores, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (pgAvailable) {
  suite('postgres', async () => {
    const db = await createTestDatabase();
    const first = await openStore({ databaseUrl: db.url, poolSize: 3 });
    const stores: [Store, Store] = [first, await openStore({ databaseUrl: db.url, poolSize: 3 })];
    return { stores, cleanup: db.drop };
  });
}
