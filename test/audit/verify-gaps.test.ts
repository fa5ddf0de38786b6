/**
 * Verification knows which checkpoints must be there, and that a chain has a head: chains
 * built by the real recorder on a store (SQLite and PostgreSQL), then tampered with directly
 * in SQL, as someone with the database file or a database login would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { createTestDatabase } from '../helpers/pg.js';
import { chainHash, GENESIS_HASH, sealCheckpoint } from '../../src/audit/chain.js';
import { EventPacker } from '../../src/audit/packed.js';
import { createAuditRecorder } from '../../src/audit/recorder.js';
import { expireEvents } from '../../src/audit/retention.js';
import {
  exportLines,
  parseExport,
  PENDING_BATCH_MAX,
  readChainMaterial,
  verifyChains,
  type ChainMaterial,
} from '../../src/audit/verify.js';
import { createSealer } from '../../src/crypto/seal.js';
import { openStore, type Store } from '../../src/store/index.js';
import { syntheticEvent } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(STORES)('audit verify: missing checkpoints and heads (%s)', (kind) => {
  let store: Store;
  let dir: string;
  let pg: { url: string; drop: () => Promise<void> } | undefined;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  let nextAccount = 0;

  beforeAll(async () => {
    pg = kind === 'postgres' ? await createTestDatabase() : undefined;
    dir = mkdtempSync(join(tmpdir(), 'rampart-verify-gaps-'));
    store = await openStore({ dataDir: dir, databaseUrl: pg?.url });
  });
  afterAll(async () => {
    await store?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A fresh account's chain of n events appended by the recorder in batches of `batch` (the
   * writer thread on SQLite, a transaction each on PostgreSQL); `at(i)` is event i's time.
   */
  async function chain(
    n: number,
    batch: number,
    at: (i: number) => Date = () => new Date(),
  ): Promise<string> {
    const accountId = String(1_000_000_000_000_000 + ++nextAccount);
    const recorder = createAuditRecorder({
      store,
      sealer,
      clock: () => new Date(),
      maxBatch: batch,
      log: () => undefined,
    });
    for (let i = 0; i < n; i++) recorder.record({ accountId, event: syntheticEvent(`Op${i}`, at(i)) });
    await recorder.close();
    return accountId;
  }

  const material = (accountId: string) => readChainMaterial(store, accountId);
  const verify = async (accountId: string) => verifyChains(await material(accountId), sealer);
  const checkpointSeqs = async (accountId: string) =>
    (await material(accountId)).checkpoints.map((c) => c.seq);
  /** The file `rampart audit export` writes (ending with its sealed end line), read back. */
  const exported = (m: ChainMaterial) => parseExport(exportLines(m, sealer).join('\n'));

  /** Recomputes prev_hash and hash from `from` to the end, and the head, as a forger would. */
  async function rehashFrom(accountId: string, from: number): Promise<void> {
    await store.transaction(async (tx) => {
      const rows = await tx
        .selectFrom('audit_events')
        .select(['seq', 'body', 'hash'])
        .where('account_id', '=', accountId)
        .where('seq', '>=', from - 1)
        .orderBy('seq')
        .execute();
      let prev = from === 1 ? GENESIS_HASH : rows.shift()!.hash;
      let seq = from - 1;
      for (const r of rows) {
        const hash = chainHash(prev, r.body);
        await tx
          .updateTable('audit_events')
          .set({ prev_hash: prev, hash })
          .where('account_id', '=', accountId)
          .where('seq', '=', Number(r.seq))
          .execute();
        prev = hash;
        seq = Number(r.seq);
      }
      await tx
        .updateTable('audit_chains')
        .set({ seq, hash: prev })
        .where('account_id', '=', accountId)
        .execute();
    });
  }

  /** Edits event `seq`'s body (not its lookup columns) and recomputes every later hash. */
  async function editAndRehash(accountId: string, seq: number): Promise<void> {
    const row = await store.db
      .selectFrom('audit_events')
      .select('body')
      .where('account_id', '=', accountId)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    const body = row.body.replace('"requestParameters":{}', '"requestParameters":{"Forged":"yes"}');
    expect(body).not.toBe(row.body);
    await store.db
      .updateTable('audit_events')
      .set({ body })
      .where('account_id', '=', accountId)
      .where('seq', '=', seq)
      .execute();
    await rehashFrom(accountId, seq);
  }

  async function deleteCheckpoints(accountId: string, fromSeq = 0): Promise<void> {
    await store.db
      .deleteFrom('audit_checkpoints')
      .where('account_id', '=', accountId)
      .where('seq', '>=', fromSeq)
      .execute();
  }

  it('an untouched chain of 250, and of 1,050 events, verifies with nothing unproven, and so does its export', async () => {
    for (const [n, batch] of [
      [250, 30],
      [1050, 70],
    ] as const) {
      const a = await chain(n, batch);
      // Checkpoints where a batch passed a multiple of 100: at the batch's end.
      const expected = Array.from(
        { length: Math.floor(n / 100) },
        (_, i) => Math.ceil(((i + 1) * 100) / batch) * batch,
      );
      expect(await checkpointSeqs(a)).toEqual(expected);
      const m = await material(a);
      expect(verifyChains(m, sealer)).toMatchObject({ ok: true, events: n, findings: [], unproven: [] });
      expect(verifyChains(exported(m), sealer)).toMatchObject({ ok: true, findings: [], unproven: [] });
      expect(verifyChains(exported(m))).toMatchObject({ ok: true, findings: [], unproven: [] });
    }
  });

  it('an event edited, the later hashes recomputed and every checkpoint removed: missing-checkpoint', async () => {
    const a = await chain(4250, 70);
    await editAndRehash(a, 1000);
    await deleteCheckpoints(a);
    const r = await verify(a);
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([
      expect.objectContaining({ accountId: a, problem: 'missing-checkpoint', seq: 100 }),
    ]);
    // The file `rampart audit export` writes carries the heads: the same rule holds for it.
    const file = exported(await material(a));
    expect(verifyChains(file, sealer).findings[0]).toMatchObject({ problem: 'missing-checkpoint', seq: 100 });
    expect(verifyChains(file).findings[0]).toMatchObject({ problem: 'missing-checkpoint', seq: 100 });
    // Event lines only (the JSON Lines sink's files): a chain of events, nothing to say which
    // checkpoints there were; its end is not proven unless the file is said to be a sink's.
    const stripped = { records: file.records, checkpoints: [], heads: [] };
    expect(verifyChains(stripped, undefined, { sink: true }).status).toBe('verified');
    expect(verifyChains(stripped).status).toBe('unproven');
  });

  it('the same on a chain short enough for one batch: unproven (not OK), the events not covered named', async () => {
    const a = await chain(250, 30);
    await editAndRehash(a, 150);
    await deleteCheckpoints(a);
    const r = await verify(a);
    expect(r).toMatchObject({ ok: true, status: 'unproven', findings: [] });
    expect(r.unproven).toEqual([
      expect.objectContaining({ accountId: a, problem: 'missing-checkpoint', seq: 100 }),
    ]);
    expect(r.unproven[0]!.message).toMatch(/^cannot prove seq 1\.\.250 unchanged: /);
    expect(r.unproven[0]!.message).toContain(
      kind === 'postgres' ? 'every append on PostgreSQL stores its checkpoint with it' : 'run verify again',
    );
    // The same for its export, which says which store it came from.
    expect(verifyChains(exported(await material(a)), sealer)).toMatchObject({
      status: 'unproven',
      unproven: [expect.objectContaining({ problem: 'missing-checkpoint', seq: 100 })],
    });
  });

  it('an edit after the last-but-one checkpoint, only the last checkpoint removed: unproven, and a failure when no one batch could have held the events it covered', async () => {
    const a = await chain(1050, 70);
    const seqs = await checkpointSeqs(a);
    const [lastButOne, lastCp] = seqs.slice(-2) as [number, number];
    await editAndRehash(a, lastButOne + 10);
    await deleteCheckpoints(a, lastCp);
    const r = await verify(a);
    expect(r).toMatchObject({ ok: true, status: 'unproven', findings: [] });
    expect(r.unproven[0]).toMatchObject({ problem: 'missing-checkpoint', seq: 1000 });
    expect(r.unproven[0]!.message).toContain(`cannot prove seq ${lastButOne + 1}..1050 unchanged`);

    // One append passed 42 multiples of 100 (more than a writer-thread batch holds): its
    // checkpoint cannot be pending, so removing it is a failure.
    const b = await chain(150, 50);
    const recorder = createAuditRecorder({ store, sealer, clock: () => new Date(), log: () => undefined });
    await recorder.recordNow(
      Array.from({ length: PENDING_BATCH_MAX + 100 }, (_, i) => ({
        accountId: b,
        event: syntheticEvent(`Big${i}`, new Date()),
      })),
    );
    await recorder.close();
    expect(await checkpointSeqs(b)).toEqual([100, 4250]);
    await editAndRehash(b, 3000);
    await deleteCheckpoints(b, 4250);
    const rb = await verify(b);
    expect(rb.ok).toBe(false);
    expect(rb.findings[0]).toMatchObject({ accountId: b, problem: 'missing-checkpoint', seq: 200 });
  });

  it('an event removed, the later ones renumbered and rehashed, the checkpoints removed: missing-checkpoint', async () => {
    const a = await chain(4250, 70);
    await store.transaction(async (tx) => {
      await tx.deleteFrom('audit_events').where('account_id', '=', a).where('seq', '=', 500).execute();
      const later = await tx
        .selectFrom('audit_events')
        .select('seq')
        .where('account_id', '=', a)
        .where('seq', '>', 500)
        .orderBy('seq')
        .execute();
      for (const { seq } of later) {
        await tx
          .updateTable('audit_events')
          .set({ seq: Number(seq) - 1 })
          .where('account_id', '=', a)
          .where('seq', '=', Number(seq))
          .execute();
      }
    });
    await rehashFrom(a, 500);
    await deleteCheckpoints(a);
    const r = await verify(a);
    expect(r.ok).toBe(false);
    expect(r.events).toBe(4249);
    expect(r.findings[0]).toMatchObject({ problem: 'missing-checkpoint', seq: 100 });
  });

  it('the newest events removed with the chain head: missing-head', async () => {
    const a = await chain(250, 30);
    await store.db.deleteFrom('audit_events').where('account_id', '=', a).where('seq', '>', 200).execute();
    await store.db.deleteFrom('audit_chains').where('account_id', '=', a).execute();
    const r = await verify(a);
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({ accountId: a, problem: 'missing-head', seq: 200 });
    // Its export has no head line (its end line says it is an export, which must have heads),
    // and a checkpoint (seq 210) past the last event left.
    const file = exported(await material(a));
    expect(verifyChains(file, sealer).findings[0]).toMatchObject({ problem: 'missing-head', seq: 200 });
    expect(
      verifyChains({ ...file, heads: [{ accountId: a, seq: 200, hash: file.records.at(-1)!.hash }] }),
    ).toMatchObject({
      status: 'failed',
      findings: [
        expect.objectContaining({ problem: 'export-end' }),
        expect.objectContaining({ problem: 'truncated', seq: 201 }),
      ],
    });
  });

  it('the newest events removed and the head moved back to the last one left: a checkpoint beyond is named', async () => {
    const a = await chain(250, 30);
    expect(await checkpointSeqs(a)).toEqual([120, 210]);
    await store.db.deleteFrom('audit_events').where('account_id', '=', a).where('seq', '>', 180).execute();
    await rehashFrom(a, 181); // moves the head to seq 180 and its hash
    const r = await verify(a);
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({ problem: 'truncated', seq: 181 });
  });

  it('a whole account removed (events, checkpoints, head) cannot be told from the store', async () => {
    const a = await chain(250, 30);
    const b = await chain(120, 30);
    for (const table of ['audit_events', 'audit_checkpoints', 'audit_chains'] as const)
      await store.db.deleteFrom(table).where('account_id', '=', a).execute();
    // Nothing of it is left to compare with: it verifies as no chain at all.
    expect(await verify(a)).toMatchObject({ ok: true, accounts: 0, events: 0, findings: [], unproven: [] });
    expect(await verify(b)).toMatchObject({ ok: true, accounts: 1, events: 120, unproven: [] });
  });

  it('an expired chain verifies from its oldest kept checkpoint, and a checkpoint removed after it is named', async () => {
    const now = new Date();
    const a = await chain(1050, 70, (i) => new Date(now.getTime() - (i < 500 ? 100 : 1) * DAY));
    const result = await expireEvents(store, sealer, now, 90);
    expect(result.refused).toEqual([]);
    const m = await material(a);
    expect(m.records[0]!.seq).toBe(501);
    expect(m.checkpoints[0]!.seq).toBe(500);
    expect(verifyChains(m, sealer)).toMatchObject({ ok: true, findings: [], unproven: [] });
    expect(verifyChains(exported(m), sealer)).toMatchObject({ ok: true, findings: [], unproven: [] });
    // The checkpoints after the anchor are still required (the newest: unproven).
    await deleteCheckpoints(a, 501);
    expect((await verify(a)).unproven[0]).toMatchObject({ problem: 'missing-checkpoint', seq: 600 });
  });

  it('expiry keeps a chain that contradicts its sealed checkpoints, rather than seal a checkpoint over it', async () => {
    const now = new Date();
    const old = () => new Date(now.getTime() - 100 * DAY);
    // Rewritten from seq 150 on, the checkpoints kept (they no longer match from seq 210).
    const a = await chain(450, 30, old);
    await editAndRehash(a, 150);
    expect((await verify(a)).findings[0]).toMatchObject({ problem: 'checkpoint-mismatch', seq: 210 });
    // Rewritten, and every checkpoint after the edit removed: nothing sealed vouches for it.
    const b = await chain(450, 30, old);
    await editAndRehash(b, 150);
    await deleteCheckpoints(b, 150);
    // The anchor checkpoint of an earlier expiry forged (its seal under another key).
    const c = await chain(450, 30, (i) => (i < 200 ? old() : new Date(now.getTime() - 50 * DAY)));
    expect((await expireEvents(store, sealer, new Date(now.getTime() - 60 * DAY), 30)).refused).not.toContain(
      c,
    );
    const other = createSealer([{ id: 'k1', key: randomBytes(32) }]);
    const anchor = (await material(c)).checkpoints[0]!;
    expect(anchor.seq).toBe(200);
    await store.db
      .updateTable('audit_checkpoints')
      .set({ seal: sealCheckpoint(other, anchor) })
      .where('account_id', '=', c)
      .where('seq', '=', 200)
      .execute();
    const before = new Map(
      await Promise.all([a, b, c].map(async (id) => [id, (await material(id)).records.length] as const)),
    );

    const result = await expireEvents(store, sealer, now, 30);
    expect(result.refused).toEqual(expect.arrayContaining([a, b, c]));
    expect(result.reasons[a]).toMatch(/^the chain up to seq 210 .* differs from its sealed checkpoint/);
    expect(result.reasons[b]).toMatch(
      /^no checkpoint from seq 200 \(the chain passed it\): seq 121\.\. cannot be proven unchanged/,
    );
    expect(result.reasons[c]).toBe(
      'the checkpoint at seq 200 is not sealed under the master key (forged or altered)',
    );
    // Nothing was removed, no checkpoint sealed over them: verify still names what it did.
    for (const id of [a, b, c]) expect((await material(id)).records.length).toBe(before.get(id));
    expect((await verify(a)).findings[0]).toMatchObject({ problem: 'checkpoint-mismatch', seq: 210 });
    expect((await verify(b)).status).toBe('unproven');
    expect((await verify(c)).findings[0]).toMatchObject({ problem: 'checkpoint-seal', seq: 200 });
  });

  // On SQLite this process reads its statements without yielding, so nothing is appended between
  // them here: test/store/writer-thread.test.ts appends on the writer thread while it reads.
  it.runIf(kind === 'postgres')(
    'a chain appended to while it is read verifies: its events, checkpoints and head come from one snapshot',
    async () => {
      const a = await chain(95, 10);
      const recorder = createAuditRecorder({
        store,
        sealer,
        clock: () => new Date(),
        maxBatch: 3,
        flushMs: 1,
        log: () => undefined,
      });
      let writing = true;
      let appended = 0;
      const writer = (async () => {
        while (writing) {
          recorder.record({ accountId: a, event: syntheticEvent(`Live${appended++}`, new Date()) });
          await new Promise((r) => setImmediate(r));
        }
      })();
      const seen: number[] = [];
      try {
        for (let i = 0; i < 30; i++) {
          const r = await verify(a);
          expect(r.findings).toEqual([]);
          seen.push(r.events);
        }
      } finally {
        writing = false;
        await writer;
        await recorder.close();
      }
      // The chain grew between the reads.
      expect(new Set(seen).size).toBeGreaterThan(5);
      expect(await verify(a)).toMatchObject({ ok: true, findings: [], events: 95 + appended });
    },
  );

  it('the newest checkpoint not stored yet (a writer-thread batch whose checkpoint waits for the next) is unproven, not a failure', async () => {
    const a = await chain(250, 30);
    if (store.runWriterTask) {
      // An append of the writer thread: the checkpoint it made due is returned, to be sealed
      // and inserted with the next batch; until then (or for good, if the server is killed)
      // it is not in the store.
      const packer = new EventPacker();
      for (let i = 0; i < 60; i++)
        packer.add({ accountId: a, event: syntheticEvent(`Late${i}`, new Date()) });
      const due = await store.runWriterTask('appendAuditEvents', {
        events: packer.take(),
        now: new Date().toISOString(),
      });
      expect(due.map((c) => c.seq)).toEqual([310]);
      const r = await verify(a);
      expect(r).toMatchObject({ ok: true, status: 'unproven', findings: [] });
      expect(r.unproven).toEqual([expect.objectContaining({ problem: 'missing-checkpoint', seq: 300 })]);
      await store.runWriterTask('insertAuditCheckpoints', {
        checkpoints: due.map((c) => ({ ...c, seal: sealCheckpoint(sealer, c) })),
      });
      expect(await verify(a)).toMatchObject({ ok: true, findings: [], unproven: [] });
    } else {
      // PostgreSQL commits every checkpoint with its append; a chain copied from SQLite
      // (`rampart migrate-store`) can still lack its newest one.
      await deleteCheckpoints(a, 210);
      const r = await verify(a);
      expect(r).toMatchObject({ ok: true, status: 'unproven', findings: [] });
      expect(r.unproven).toEqual([expect.objectContaining({ problem: 'missing-checkpoint', seq: 200 })]);
    }
  });
});
