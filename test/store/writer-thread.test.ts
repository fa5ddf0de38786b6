import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syntheticEvent } from '../audit/helpers.js';
import type { ApiEventFacts } from '../../src/audit/api-event.js';

/**
 * The writer thread of an SQLite store (src/store/sqlite/writer-thread.ts). A worker thread
 * runs compiled JavaScript only, so this test drives the build (`npm run build`, which
 * `npm test` runs first), as `rampart serve` does: the store, the recorder and the verifier
 * are the compiled modules.
 */
const dist = new URL('../../dist/', import.meta.url);
const built = existsSync(new URL('store/sqlite/writer-thread.js', dist));

type StoreModule = typeof import('../../src/store/index.js');
type RecorderModule = typeof import('../../src/audit/recorder.js');
type VerifyModule = typeof import('../../src/audit/verify.js');
type SealModule = typeof import('../../src/crypto/seal.js');
type RenderModule = typeof import('../../src/audit/api-event.js');

const threads = (): number => readdirSync('/proc/self/task').length;

/**
 * The thread count once it holds still: a worker that stopped (or belonged to a store closed
 * just before) may outlive its 'exit' event for a moment, and a baseline taken then is one too high.
 */
async function settledThreads(): Promise<number> {
  let n = threads();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const now = threads();
    if (now === n) return n;
    n = now;
  }
  return n;
}

describe.skipIf(!built)('SQLite writer thread (compiled)', () => {
  let stores: StoreModule;
  let recorders: RecorderModule;
  let verify: VerifyModule;
  let seal: SealModule;
  let render: RenderModule;
  let dir: string;
  const opened: { close(): Promise<void> }[] = [];
  /** Undone after each test, before its stores close. */
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    stores = (await import(new URL('store/index.js', dist).href)) as StoreModule;
    recorders = (await import(new URL('audit/recorder.js', dist).href)) as RecorderModule;
    verify = (await import(new URL('audit/verify.js', dist).href)) as VerifyModule;
    seal = (await import(new URL('crypto/seal.js', dist).href)) as SealModule;
    render = (await import(new URL('audit/api-event.js', dist).href)) as RenderModule;
  });
  afterEach(async () => {
    for (const undo of cleanups.splice(0)) undo();
    for (const s of opened.splice(0)) await s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A recorder over `store` that appends buffered events within 5 ms, and its sealer. */
  function auditTrail(store: Parameters<RecorderModule['createAuditRecorder']>[0]['store']) {
    const sealer = seal.createSealer([{ id: 'k1', key: randomBytes(32) }]);
    return {
      sealer,
      recorder: recorders.createAuditRecorder({ store, sealer, clock: () => new Date(), flushMs: 5 }),
    };
  }

  async function open(writerThread = true, sqliteBusyTimeoutMs?: number) {
    const store = await stores.openStore({
      dataDir: dir,
      sqliteWriterThread: writerThread,
      sqliteBusyTimeoutMs,
    });
    opened.push(store);
    return store;
  }

  /**
   * Another process that has just created the nonce log, still in its first journal mode, and
   * is writing to it: it holds the file's write lock until it commits (or the test ends).
   */
  function holdNewNonceLog(): SqliteDatabase.Database {
    const other = new SqliteDatabase(join(dir, 'rampart-nonces.db'));
    cleanups.push(() => {
      if (other.inTransaction) other.exec('rollback');
      other.close();
    });
    other.exec('create table starting (x)');
    other.exec('begin immediate');
    other.exec('insert into starting values (1)');
    return other;
  }

  /** The warnings of stopped writer threads the process emits from now on, until the test ends. */
  function threadStopWarnings(): Error[] {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => {
      if ((w as { code?: string }).code === 'RAMPART_SQLITE_WRITER_THREAD_STOPPED') warnings.push(w);
    };
    process.on('warning', onWarning);
    cleanups.push(() => process.off('warning', onWarning));
    return warnings;
  }

  it('claims nonces on a thread of its own; two stores on one file claim each nonce once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const a = await open();
    const b = await open();
    const before = await settledThreads();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const nonces = Array.from({ length: 200 }, () => randomBytes(12).toString('hex'));
    const group = (n: string[]) => n.map((nonce) => ({ accessKeyId: 'LTAIthread', nonce, expiresAt }));
    const now = new Date().toISOString();
    const [ra, rb] = await Promise.all([
      a.claimNonces(group(nonces), now, false),
      b.claimNonces(group([...nonces].reverse()), now, false),
    ]);
    // Each store started its writer thread with its first task.
    expect(threads()).toBe(before + 2);
    const winsA = ra.filter((r) => r === true).length;
    const winsB = rb.filter((r) => r === true).length;
    expect(winsA + winsB).toBe(nonces.length);
    nonces.forEach((_, i) => expect(ra[i] !== rb[nonces.length - 1 - i]).toBe(true));
    expect(await a.countNonces!()).toBe(nonces.length);
    // A store opened after them (a restart) refuses every one, and so does one without a thread.
    const c = await open(false);
    expect(await c.claimNonces(group(nonces.slice(0, 5)), now, false)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(threads()).toBe(before + 2);
  });

  it('opens the nonce log while another connection holds its new file: the switch to WAL waits', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    // SQLite refuses the switch to WAL at once, without a busy handler.
    const other = holdNewNonceLog();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const claimed = store.claimNonces(
      [{ accessKeyId: 'LTAIthread', nonce: 'n1', expiresAt }],
      new Date().toISOString(),
      false,
    );
    await new Promise((r) => setTimeout(r, 200));
    other.exec('commit');
    expect(await claimed).toEqual([true]);
  });

  it('leaves its work to the serving thread when it stops, says so once, and starts a new one after a pause', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open(true, 100);
    const said = threadStopWarnings();
    // The nonce log is held longer than the store's busy timeout: the thread cannot open it.
    const other = holdNewNonceLog();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const claim = (nonce: string) =>
      store.claimNonces([{ accessKeyId: 'LTAIthread', nonce, expiresAt }], new Date().toISOString(), false);
    await expect(claim('n1')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('commit');
    const stopped = await settledThreads();
    // During the pause the claims run on the serving thread, which starts no thread, and a
    // replay is still refused.
    expect(await claim('n1')).toEqual([true]);
    expect(await claim('n2')).toEqual([true]);
    expect(await claim('n1')).toEqual([false]);
    expect(threads()).toBe(stopped);
    await new Promise((r) => setImmediate(r));
    expect(said).toHaveLength(1);
    expect(said[0]!.message).toMatch(/writer thread stopped .*serving thread until a new one is started/);

    await new Promise((r) => setTimeout(r, 1100));
    // The first claim after the pause starts a new thread (and runs here while it opens its file).
    expect(await claim('n3')).toEqual([true]);
    expect(threads()).toBe(stopped + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(await claim('n1')).toEqual([false]);
    expect(await claim('n3')).toEqual([false]);
    expect(await claim('n4')).toEqual([true]);
    expect(threads()).toBe(stopped + 1);
    expect(said).toHaveLength(1);
  });

  it('appends audit events on a thread that never opens the nonce log', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open(true, 100);
    const said = threadStopWarnings();
    // The nonce log cannot be opened within the busy timeout: the audit thread does not need it.
    holdNewNonceLog();
    const before = await settledThreads();
    const { recorder } = auditTrail(store);
    recorder.record({ accountId: '1234567890123456', event: syntheticEvent('GetUser', new Date()) });
    await recorder.flush();
    await new Promise((r) => setImmediate(r));
    expect(threads()).toBe(before + 1);
    expect(said).toEqual([]);
    await recorder.close();
    expect((await verify.readChainMaterial(store)).records).toHaveLength(1);
  });

  it('appends buffered audit events there, with sealed checkpoints, and the chain verifies', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    const before = await settledThreads();
    const { sealer, recorder } = auditTrail(store);
    const add = (from: number, to: number) => {
      for (let i = from; i < to; i++)
        recorder.record({ accountId: '1234567890123456', event: syntheticEvent(`GetUser${i}`, new Date()) });
    };
    // Two batches: a checkpoint is sealed where a batch passed a multiple of 100.
    add(0, 150);
    await recorder.flush();
    add(150, 250);
    await recorder.close();
    expect(threads()).toBe(before + 1);
    const material = await verify.readChainMaterial(store);
    expect(material.records).toHaveLength(250);
    expect(material.records.map((r) => r.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(material.checkpoints.map((c) => c.seq)).toEqual([150, 250]);
    const result = verify.verifyChains(material, sealer);
    expect(result).toMatchObject({ ok: true, events: 250, checkpoints: 2, sealsChecked: true });
    // A seal made under another key is refused: the checkpoints were sealed with this one.
    expect(verify.verifyChains(material, seal.createSealer([{ id: 'k1', key: randomBytes(32) }])).ok).toBe(
      false,
    );
  });

  it('verifies a chain while the thread appends to it: the events, checkpoints and head come from one snapshot', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    const sealer = seal.createSealer([{ id: 'k1', key: randomBytes(32) }]);
    const recorder = recorders.createAuditRecorder({
      store,
      sealer,
      clock: () => new Date(),
      flushMs: 1,
      maxBatch: 200,
    });
    let n = 0;
    const add = (count: number) => {
      for (let i = 0; i < count; i++)
        recorder.record({
          accountId: '1234567890123456',
          event: syntheticEvent(`GetUser${n++}`, new Date()),
        });
    };
    add(500);
    await recorder.flush();
    const seen = new Set<number>();
    for (let i = 0; i < 25; i++) {
      // Batches for the thread, appended while the chain is read.
      add(300);
      const result = verify.verifyChains(await verify.readChainMaterial(store), sealer);
      expect(result.findings).toEqual([]);
      seen.add(result.events);
      await new Promise((r) => setTimeout(r, 1));
    }
    await recorder.close();
    expect(seen.size).toBeGreaterThan(10);
    expect(verify.verifyChains(await verify.readChainMaterial(store), sealer)).toMatchObject({
      ok: true,
      events: n,
      findings: [],
    });
  });

  it('keeps the write-ahead log bounded while audit batches stream in, as under steady load', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    const { sealer, recorder } = auditTrail(store);
    const wal = join(dir, 'rampart.db-wal');
    const padding = 'x'.repeat(900);
    let written = 0;
    let largest = 0;
    let i = 0;
    const deadline = Date.now() + 1500;
    // The serving thread's held read moves on every few milliseconds and after each batch, as
    // in a server; batches commit on the writer thread meanwhile.
    while (Date.now() < deadline || written < 8 * 1024 * 1024) {
      for (let j = 0; j < 100; j++, i++)
        recorder.record({
          accountId: '1234567890123456',
          event: { ...syntheticEvent('GetUser', new Date()), userAgent: `${padding}${i}` },
        });
      written += 100 * padding.length;
      await new Promise((r) => setTimeout(r, 2));
      if (existsSync(wal)) largest = Math.max(largest, statSync(wal).size);
    }
    await recorder.close();
    // Each batch's commit is checkpointed to the log's end once the held read has moved past it,
    // so the log starts over instead of keeping every byte written.
    expect(largest).toBeLessThan(written / 4);
    const material = await verify.readChainMaterial(store);
    expect(material.records).toHaveLength(i);
    expect(verify.verifyChains(material, sealer).ok).toBe(true);
  });

  it('renders the events of API requests from their facts there, as the serving thread would', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    const before = await settledThreads();
    const { sealer, recorder } = auditTrail(store);
    const account = '1234567890123456';
    const facts = (i: number): ApiEventFacts => ({
      accountId: account,
      requestId: `01A243C1-E2B9-734C-9CDD-${String(i).padStart(12, '0')}`,
      receivedAtMs: Date.parse('2026-12-05T02:00:00.500Z') + i * 1000,
      name: i % 2 ? 'GetUser' : 'CreateGroup',
      eventSource: 'ram.aliyuncs.com',
      serviceName: 'Ram',
      apiVersion: '2015-05-01',
      requestParameters: i % 2 ? { UserName: `user-${i}` } : { GroupName: `g\u0000é-${i}`, Password: '****' },
      scheme: 'https',
      userIdentity: { type: 'ram-user', principalId: '2034', accountId: account, userName: 'reader' },
      sourceIp: '192.0.2.1',
      userAgent: 'test',
      errorCode: i % 2 ? '' : 'NoPermission',
      errorMessage: i % 2 ? '' : 'You are not authorized to do this action.',
    });
    for (let i = 0; i < 4; i++) recorder.recordApi(facts(i));
    recorder.record({ accountId: account, event: syntheticEvent('Whole', new Date()) });
    await recorder.close();
    expect(threads()).toBe(before + 1);
    const material = await verify.readChainMaterial(store);
    expect(material.records.slice(0, 4).map((r) => r.body)).toEqual(
      [0, 1, 2, 3].map((i) => JSON.stringify(render.renderApiEvent(facts(i)))),
    );
    expect(JSON.parse(material.records[4]!.body).eventName).toBe('Whole');
    expect(verify.verifyChains(material, sealer)).toMatchObject({ ok: true, events: 5 });
  });

  it('claims nonces while an audit append waits for the store: the two have threads of their own', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
    const store = await open();
    const sealer = seal.createSealer([{ id: 'k1', key: randomBytes(32) }]);
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const claim = (nonce: string) => [{ accessKeyId: 'LTAIthread', nonce, expiresAt }];
    expect(await store.claimNonces(claim('first'), new Date().toISOString(), false)).toEqual([true]);
    // Another process holds the store's write lock: the audit append waits for it.
    const other = new SqliteDatabase(join(dir, 'rampart.db'));
    try {
      other.exec('begin immediate');
      const recorder = recorders.createAuditRecorder({ store, sealer, clock: () => new Date() });
      recorder.record({ accountId: '1234567890123456', event: syntheticEvent('GetUser', new Date()) });
      let appended = false;
      const flushed = recorder.flush().then(() => (appended = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(appended).toBe(false);
      // The claims of signed requests go on meanwhile.
      const started = Date.now();
      for (const nonce of ['second', 'third', 'first']) {
        const [got] = await store.claimNonces(claim(nonce), new Date().toISOString(), false);
        expect(got).toBe(nonce !== 'first');
      }
      expect(Date.now() - started).toBeLessThan(1000);
      expect(appended).toBe(false);
      other.exec('commit');
      await flushed;
      await recorder.close();
      expect((await verify.readChainMaterial(store)).records).toHaveLength(1);
    } finally {
      if (other.inTransaction) other.exec('rollback');
      other.close();
    }
  });
});
