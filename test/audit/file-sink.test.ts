/**
 * The JSON Lines file sink on both stores: once rotation drops its oldest files, the files kept
 * still verify, concatenated oldest first and each alone, from the checkpoint each begins with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import { createFileSink } from '../../src/audit/sinks/file-sink.js';
import { parseExport, verifyChains } from '../../src/audit/verify.js';
import { createSealer } from '../../src/crypto/seal.js';
import type { Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { syntheticEvent } from './helpers.js';

const ACCOUNTS = ['1234567890123456', '6543210987654321'];

describe.each(backends.filter((b) => b.available))('JSON Lines file sink ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: string;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    dir = mkdtempSync(join(tmpdir(), 'rampart-file-sink-'));
  });
  afterAll(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its rotated files verifiable after the oldest are dropped', async () => {
    const path = join(dir, 'audit.jsonl');
    const sink = createFileSink(store, {
      path,
      maxBytes: 40_000,
      keep: 2,
      stateDir: join(dir, 'state'),
      sealer,
    });
    const at = new Date('2026-12-05T10:00:00Z');
    // Batches of events for two accounts, each copied to the file as it comes.
    for (let round = 0; round < 12; round++) {
      const events = Array.from({ length: 40 }, (_, i) =>
        eventText({ accountId: ACCOUNTS[i % 2]!, event: syntheticEvent(`Op${round}-${i}`, at) }),
      );
      await store.transaction((tx) => appendEvents(tx, store, sealer, events, at));
      while ((await sink.pump(25)) > 0);
    }
    // More was written than the three files kept hold: the oldest went.
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    const kept = [`${path}.2`, `${path}.1`, path].map((f) => readFileSync(f, 'utf8'));
    const joined = parseExport(kept.join(''));
    expect(joined.records[0]!.seq).toBeGreaterThan(1);
    expect(verifyChains(joined, sealer)).toMatchObject({ ok: true, findings: [] });
    for (const text of kept) expect(verifyChains(parseExport(text), sealer)).toMatchObject({ ok: true });
    // The checkpoints a file begins with are sealed under the master key: another key refuses them.
    const other = createSealer([{ id: 'k1', key: randomBytes(32) }]);
    expect(verifyChains(joined, other).findings[0]).toMatchObject({ problem: 'checkpoint-seal' });
    // An event changed in a kept file is still named.
    const edited = kept.join('').replace('"Op11-3"', '"Op11-X"');
    expect(verifyChains(parseExport(edited), sealer).ok).toBe(false);
  });
});
