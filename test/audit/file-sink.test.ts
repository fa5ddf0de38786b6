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
/** The sink's files have no sealed end: verified as such (`rampart audit verify --sink`). */
const SINK = { sink: true } as const;

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
    expect(verifyChains(joined, sealer, SINK)).toMatchObject({ status: 'verified', findings: [] });
    for (const text of kept)
      expect(verifyChains(parseExport(text), sealer, SINK)).toMatchObject({ status: 'verified' });
    // The checkpoints a file begins with are sealed under the master key: another key refuses them.
    const other = createSealer([{ id: 'k1', key: randomBytes(32) }]);
    expect(verifyChains(joined, other, SINK).findings[0]).toMatchObject({
      problem: 'checkpoint-seal',
      message: expect.stringContaining('forged or altered'),
    });
    // Under a key the command was not given (one a rotation retired since): not called forged,
    // the key named, and still not passed.
    const rotated = createSealer([{ id: 'k2', key: randomBytes(32) }]);
    const unchecked = verifyChains(joined, rotated, SINK);
    expect(unchecked.ok).toBe(false);
    expect(unchecked.findings[0]).toMatchObject({
      problem: 'checkpoint-seal',
      message: expect.stringMatching(/sealed under master key k1, which was not given/),
    });
    // An event changed in a kept file is still named.
    const edited = kept.join('').replace('"Op11-3"', '"Op11-X"');
    expect(verifyChains(parseExport(edited), sealer, SINK).ok).toBe(false);
  });

  it('spreads a backlog copied at once over files of at most maxBytes, each event once', async () => {
    const path = join(dir, 'backlog.jsonl');
    const maxBytes = 20_000;
    const sink = createFileSink(store, { path, maxBytes, keep: 50, stateDir: join(dir, 'backlog'), sealer });
    // The events the sink has not copied yet: all of the store's.
    const at = new Date('2026-12-05T11:00:00Z');
    const events = Array.from({ length: 60 }, (_, i) =>
      eventText({ accountId: ACCOUNTS[i % 2]!, event: syntheticEvent(`Backlog${i}`, at) }),
    );
    await store.transaction((tx) => appendEvents(tx, store, sealer, events, at));
    let copied = 0;
    for (let n; (n = await sink.pump(1000)) > 0;) copied += n;
    const files = [path];
    for (let i = 1; existsSync(`${path}.${i}`); i++) files.unshift(`${path}.${i}`);
    expect(files.length).toBeGreaterThan(3);
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    for (const text of texts) {
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxBytes);
      expect(verifyChains(parseExport(text), sealer, SINK)).toMatchObject({
        status: 'verified',
        findings: [],
      });
    }
    const all = parseExport(texts.join(''));
    expect(all.records).toHaveLength(copied);
    expect(new Set(all.records.map((r) => `${r.accountId}/${r.seq}`)).size).toBe(copied);
    expect(verifyChains(all, sealer, SINK)).toMatchObject({ status: 'verified', findings: [] });
  });
});
