import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import {
  MinuteNonces,
  claimNoncesNow,
  liveNonces,
  nonceFileOf,
  openNonceLog,
} from '../../src/store/sqlite/nonces.js';
import { inWriteTransaction, syncDbOf } from '../../src/store/sqlite/sync-db.js';
import { writerTaskFailed } from '../../src/store/sqlite/writer-tasks.js';
import type { SyncDb } from '../../src/store/store.js';

/**
 * SQLite's nonce log (src/store/sqlite/nonces.ts): an append-only table in a file of its own,
 * looked up in memory. Each connection below stands for a process (or a writer thread).
 */
describe('nonce log', () => {
  let dir: string;
  let store: Store;
  /** The store's own database (read once, for the nonces kept there before the log). */
  let storeFile: SyncDb;
  const open: SqliteDatabase.Database[] = [];
  const NOW = Date.parse('2026-06-01T00:00:00.000Z');
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  const claim = (nonce: string, expiresAt = at(30 * 60_000)) => ({
    accessKeyId: 'LTAIlog',
    nonce,
    expiresAt,
  });

  /** A connection to the log, as one process has it. */
  function connection(): { raw: SqliteDatabase.Database; db: SyncDb } {
    const raw = openNonceLog(join(dir, 'rampart.db'), 1000);
    open.push(raw);
    return { raw, db: syncDbOf(raw) };
  }
  /** One claim group in its own transaction, as a writer task runs it. */
  function run(
    c: { raw: SqliteDatabase.Database; db: SyncDb },
    claims: ReturnType<typeof claim>[],
    now = at(0),
    purge = false,
  ) {
    return inWriteTransaction(c.raw, () => claimNoncesNow(c.db, storeFile, { claims, now, purge }));
  }
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-nonce-log-'));
    store = await openStore({ dataDir: dir });
    const raw = new SqliteDatabase(join(dir, 'rampart.db'));
    open.push(raw);
    storeFile = syncDbOf(raw);
  });
  afterEach(async () => {
    for (const raw of open.splice(0)) raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lives in a private file beside the store', () => {
    connection();
    expect(nonceFileOf(join(dir, 'rampart.db'))).toBe(join(dir, 'rampart-nonces.db'));
    expect(statSync(join(dir, 'rampart-nonces.db')).mode & 0o777).toBe(0o600);
    expect(nonceFileOf(':memory:')).toBe(':memory:');
  });

  it('refuses a nonce another connection claimed, whichever claims first', () => {
    const a = connection();
    const b = connection();
    expect(run(a, [claim('one'), claim('two')])).toEqual([true, true]);
    expect(run(b, [claim('one'), claim('three')])).toEqual([false, true]);
    expect(run(a, [claim('three'), claim('two'), claim('four')])).toEqual([false, false, true]);
    // A connection opened later (a restart) reads the whole live log.
    const c = connection();
    expect(run(c, [claim('one'), claim('four'), claim('five')])).toEqual([false, false, true]);
  });

  it('frees a nonce once it expired, and a purge deletes the past minutes from the log', () => {
    const a = connection();
    const b = connection();
    expect(run(a, [claim('short', at(60_000)), claim('long', at(10 * 60_000))])).toEqual([true, true]);
    expect(run(b, [claim('short', at(200_000))], at(59_000))).toEqual([false]);
    expect(run(b, [claim('short', at(200_000))], at(61_000))).toEqual([true]);
    const rows = () => (a.raw.prepare('select count(*) as n from nonce_log').get() as { n: number }).n;
    expect(rows()).toBe(3);
    run(a, [], at(5 * 60_000), true);
    // The two rows of 'short' expired minutes ago; 'long' is kept, and still held.
    expect(rows()).toBe(1);
    expect(run(b, [claim('long')], at(5 * 60_000))).toEqual([false]);
  });

  it('starts over from the log after a rolled-back transaction', () => {
    const a = connection();
    expect(() =>
      inWriteTransaction(a.raw, () => {
        claimNoncesNow(a.db, storeFile, { claims: [claim('undone')], now: at(0), purge: false });
        throw new Error('the commit failed');
      }),
    ).toThrow('the commit failed');
    // Without forgetting, the window would still hold the nonce its rolled-back row claimed.
    writerTaskFailed('claimNonces', { store: storeFile, nonces: a.db });
    expect(run(a, [claim('undone')])).toEqual([true]);
    expect(run(connection(), [claim('undone')])).toEqual([false]);
  });

  it("honours the nonces kept in the store's table before the log", async () => {
    await store.db
      .insertInto('nonces')
      .values([
        { access_key_id: 'LTAIlog', nonce: 'older', expires_at: at(10 * 60_000) },
        { access_key_id: 'LTAIlog', nonce: 'expired', expires_at: at(-1000) },
      ])
      .execute();
    expect(run(connection(), [claim('older'), claim('expired'), claim('new')])).toEqual([false, true, true]);
    // The table's expired rows are gone; the live one stays for the next process to read.
    const left = await store.db.selectFrom('nonces').select('nonce').execute();
    expect(left.map((r) => r.nonce)).toEqual(['older']);
  });

  it('lists the live claims of the log for a copy of the store, oldest first', () => {
    const a = connection();
    run(a, [claim('soon', at(60_000)), claim('past', at(-1000)), claim('later')]);
    const live = [...liveNonces(join(dir, 'rampart.db'), NOW)];
    expect(live.map((n) => n.nonce)).toEqual(['soon', 'later']);
    expect(live[1]).toEqual({ accessKeyId: 'LTAIlog', nonce: 'later', expiresMs: NOW + 30 * 60_000 });
    expect([...liveNonces(join(dir, 'other.db'), NOW)]).toEqual([]);
  });

  it('answers an Error for a claim the log refuses, and claims the others', () => {
    const a = connection();
    run(a, [claim('first')]);
    a.raw.exec(
      "create trigger refuse before insert on nonce_log when new.nonce = 'bad' begin select raise(abort, 'refused row'); end",
    );
    const out = run(a, [claim('x'), claim('bad'), claim('y')]);
    expect(out[0]).toBe(true);
    expect(out[1]).toBeInstanceOf(Error);
    expect(String(out[1])).toContain('refused row');
    expect(out[2]).toBe(true);
    a.raw.exec('drop trigger refuse');
    expect(run(connection(), [claim('bad'), claim('x')])).toEqual([true, false]);
  });
});

describe('MinuteNonces', () => {
  it('finds every key it holds with its latest expiry, and no other, across growth', () => {
    const set = new MinuteNonces();
    const held = new Map<number, number>();
    // 52-bit keys as keyOf makes them, the extremes included, and some with equal low bits.
    const keys = [0, 2 ** 52 - 1, 2 ** 32, 2 * 2 ** 32, 3 * 2 ** 32 + 7, 7];
    for (let i = 0; i < 50_000; i++) keys.push(Math.floor(Math.random() * 2 ** 52));
    for (const k of keys) {
      const offset = Math.floor(Math.random() * 60_000);
      set.set(k, offset);
      held.set(k, Math.max(offset, held.get(k) ?? -1));
    }
    set.set(7, 59_999);
    held.set(7, 59_999);
    set.set(7, 5);
    expect(set.size).toBe(held.size);
    for (const [k, offset] of held) expect(set.get(k)).toBe(offset);
    for (let i = 0; i < 50_000; i++) {
      const k = Math.floor(Math.random() * 2 ** 52);
      if (!held.has(k)) expect(set.get(k)).toBe(-1);
    }
  });
});
