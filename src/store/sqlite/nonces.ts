import { hash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { NonceClaim, SyncDb } from '../store.js';
import { createPrivateFiles, useWal } from './files.js';

/**
 * Replay nonces on SQLite. A claim appends a row to `nonce_log`, an append-only table: its
 * pages fill in order, so a group commit writes a page per few dozen claims. (An index of
 * the random nonces, which the lookup needs, would take one random page per claim, and each
 * page is written whole at every commit: most of a signed request's cost.) The lookup is in
 * memory instead: the thread that claims keeps the live nonces of the log, every process's,
 * in a window below.
 *
 * The log is a database file of its own beside the store's (`rampart-nonces.db` beside
 * `rampart.db`): a commit to the store's file makes every other connection to it drop its
 * page cache, and the serving thread reads the store on every request, while nonces are
 * claimed hundreds of times a second.
 *
 * The window stays exact across processes and restarts because it is only read and extended
 * inside the claim's write transaction: first it reads the rows other connections appended
 * since it last looked (a range of the log's ids), then it checks and appends. A transaction
 * that rolls back makes the window start over from the log (`forgetNonceWindow`). The first
 * time, it also takes the unexpired nonces of the store's own `nonces` table, where they
 * were kept before.
 *
 * Memory: about 20 bytes per live nonce (claimed within the last 30 minutes), outside the
 * JavaScript heap (`MinuteNonces`).
 */

/** The nonce log's file beside a store file: `rampart.db` → `rampart-nonces.db`. */
export function nonceFileOf(file: string): string {
  if (file === ':memory:') return file;
  return join(dirname(file), `${basename(file).replace(/\.db$/, '')}-nonces.db`);
}

/** Opens (creating when needed) the nonce log of a store file. */
export function openNonceLog(storeFile: string, busyTimeoutMs: number): SqliteDatabase.Database {
  const file = nonceFileOf(storeFile);
  if (file !== ':memory:') createPrivateFiles(file);
  const raw = new SqliteDatabase(file);
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
  useWal(raw, busyTimeoutMs);
  raw.pragma('synchronous = NORMAL');
  raw.exec(`create table if not exists nonce_log (
    id integer primary key autoincrement,
    access_key_id text not null,
    nonce text not null,
    expires_ms integer not null)`);
  return raw;
}

/** A claimed nonce as a copy of the store carries it. */
export interface LiveNonce {
  readonly accessKeyId: string;
  readonly nonce: string;
  /** Epoch milliseconds. */
  readonly expiresMs: number;
}

/**
 * The unexpired claims of a store file's nonce log, oldest first (none when it has no log).
 * A copy of the store (`rampart backup`, `rampart migrate-store`) carries them into its
 * `nonces` table, which a node reads when it starts: a request signed before the copy cannot
 * be replayed against it.
 */
export function* liveNonces(storeFile: string, nowMs: number): Generator<LiveNonce> {
  const file = nonceFileOf(storeFile);
  if (file === ':memory:' || !existsSync(file)) return;
  const raw = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    raw.pragma('busy_timeout = 10000');
    const rows = raw
      .prepare('select access_key_id, nonce, expires_ms from nonce_log where expires_ms >= ? order by id')
      .iterate(nowMs) as IterableIterator<{ access_key_id: string; nonce: string; expires_ms: number }>;
    for (const r of rows) yield { accessKeyId: r.access_key_id, nonce: r.nonce, expiresMs: r.expires_ms };
  } finally {
    raw.close();
  }
}

/**
 * The nonces of one minute of expiry: a hash table of their keys (52-bit integers, see
 * `keyOf`) with open addressing, each with its expiry as milliseconds into the minute. Typed
 * arrays outside the JavaScript heap: about 20 bytes a nonce, nothing for the garbage
 * collector to trace (a Map held two heap numbers and an entry, about 80 bytes, per nonce).
 */
export class MinuteNonces {
  /** Key + 1 per slot; 0 marks an empty slot. */
  private keys = new Float64Array(1024);
  /** Expiry, in milliseconds into the minute, of the key in the same slot. */
  private offsets = new Uint16Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The expiry offset of `key`, or -1 when it is not here. */
  get(key: number): number {
    const mask = this.keys.length - 1;
    const stored = key + 1;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === stored) return this.offsets[i]!;
      if (k === 0) return -1;
    }
  }

  /** Adds `key`, or moves its expiry later. */
  set(key: number, offset: number): void {
    if ((this.count + 1) * 10 > this.keys.length * 7) this.grow();
    const mask = this.keys.length - 1;
    const stored = key + 1;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === stored) {
        if (offset > this.offsets[i]!) this.offsets[i] = offset;
        return;
      }
      if (k === 0) {
        this.keys[i] = stored;
        this.offsets[i] = offset;
        this.count++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, offsets } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.offsets = new Uint16Array(keys.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.set(keys[i]! - 1, offsets[i]!);
  }
}

/** A key's first slot: its low bits (keys are uniform, being hash output). */
const slotOf = (key: number, mask: number): number => (key % 0x1_0000_0000) & mask;

/** Live nonces by minute of expiry: a minute's entries go together once it is past. */
interface Window {
  /** The last log id read or written. */
  lastId: number;
  /** Keyed hash of (key, nonce), per expiry minute. */
  readonly minutes: Map<number, MinuteNonces>;
  /** The highest log id of each expiry minute (the log's expired rows are deleted by id). */
  readonly lastIdOf: Map<number, number>;
  /** The highest log id read already expired (not kept in memory, deleted at the next purge). */
  expiredUpTo: number;
  /** Random per window: nobody can choose nonces whose hashes collide. */
  readonly salt: string;
}

const MINUTE_MS = 60_000;

/** The window of each nonce log connection. */
const windows = new WeakMap<SyncDb, Window>();

/** Drops the window of a nonce log connection; the next claim reads it again from the log. */
export function forgetNonceWindow(db: SyncDb): void {
  windows.delete(db);
}

/** 52 bits of a keyed SHA-256 of the pair: a safe integer, so a Map key without allocation. */
function keyOf(w: Window, accessKeyId: string, nonce: string): number {
  return parseInt(hash('sha256', `${w.salt}\u0000${accessKeyId}\u0000${nonce}`, 'hex').slice(0, 13), 16);
}

function remember(w: Window, id: number, key: number, expiresMs: number): void {
  const minute = Math.floor(expiresMs / MINUTE_MS);
  let entries = w.minutes.get(minute);
  if (!entries) w.minutes.set(minute, (entries = new MinuteNonces()));
  entries.set(key, expiresMs - minute * MINUTE_MS);
  if (id > (w.lastIdOf.get(minute) ?? 0)) w.lastIdOf.set(minute, id);
  if (id > w.lastId) w.lastId = id;
}

/** Whether a nonce is held: claimed and not expired before `nowMs`. */
function held(w: Window, key: number, nowMs: number): boolean {
  const from = Math.floor(nowMs / MINUTE_MS);
  for (const [minute, entries] of w.minutes) {
    if (minute < from) continue;
    const offset = entries.get(key);
    if (offset >= 0 && minute * MINUTE_MS + offset >= nowMs) return true;
  }
  return false;
}

/** Reads the log rows appended since the window last looked (all of them the first time). */
function catchUp(db: SyncDb, w: Window, nowMs: number): void {
  const rows = db.all<{ id: number; access_key_id: string; nonce: string; expires_ms: number }>(
    'select id, access_key_id, nonce, expires_ms from nonce_log where id > ? order by id',
    [w.lastId],
  );
  for (const r of rows) {
    if (r.expires_ms >= nowMs) remember(w, r.id, keyOf(w, r.access_key_id, r.nonce), r.expires_ms);
    else w.lastId = w.expiredUpTo = r.id;
  }
}

/**
 * The unexpired nonces of the store's `nonces` table: claims kept there before the log, or
 * carried there by a copy of the store. Its expired rows are deleted.
 */
function fromStoreTable(store: SyncDb, w: Window, nowMs: number): void {
  const now = new Date(nowMs).toISOString();
  // Only when there is something to delete: a delete takes the store's write lock.
  if (store.get('select 1 as x from nonces where expires_at < ? limit 1', [now])) {
    store.run('delete from nonces where expires_at < ?', [now]);
  }
  const rows = store.all<{ access_key_id: string; nonce: string; expires_at: string }>(
    'select access_key_id, nonce, expires_at from nonces where expires_at >= ?',
    [now],
  );
  for (const r of rows) remember(w, 0, keyOf(w, r.access_key_id, r.nonce), Date.parse(r.expires_at));
}

/** Forgets the minutes that are past, and deletes their rows from the log. */
function purge(db: SyncDb, w: Window, nowMs: number): void {
  const current = Math.floor(nowMs / MINUTE_MS);
  let upTo = w.expiredUpTo;
  for (const minute of [...w.minutes.keys()]) {
    if (minute >= current) continue;
    upTo = Math.max(upTo, w.lastIdOf.get(minute) ?? 0);
    w.minutes.delete(minute);
    w.lastIdOf.delete(minute);
  }
  // Rows are appended about in expiry order; a later row that expired earlier goes next time.
  if (upTo > 0) db.run('delete from nonce_log where id <= ? and expires_ms < ?', [upTo, nowMs]);
}

/**
 * A group of nonce claims inside one write transaction of the nonce log `db` (a writer task;
 * `store`: the store's own database, read once): true for a claim
 * that got its nonce, false for one the key already holds, or the Error that claim alone met.
 * With `purge`, the expired part of the log goes first.
 */
export function claimNoncesNow(
  db: SyncDb,
  store: SyncDb,
  input: { readonly claims: readonly NonceClaim[]; readonly now: string; readonly purge: boolean },
): (boolean | Error)[] {
  const nowMs = Date.parse(input.now);
  let w = windows.get(db);
  if (!w) {
    windows.set(
      db,
      (w = {
        lastId: 0,
        expiredUpTo: 0,
        minutes: new Map(),
        lastIdOf: new Map(),
        salt: randomBytes(16).toString('hex'),
      }),
    );
    fromStoreTable(store, w, nowMs);
  }
  catchUp(db, w, nowMs);
  if (input.purge) purge(db, w, nowMs);
  return input.claims.map((c): boolean | Error => {
    try {
      const key = keyOf(w, c.accessKeyId, c.nonce);
      if (held(w, key, nowMs)) return false;
      const expiresMs = Date.parse(c.expiresAt);
      const id = db.insert('insert into nonce_log (access_key_id, nonce, expires_ms) values (?, ?, ?)', [
        c.accessKeyId,
        c.nonce,
        expiresMs,
      ]);
      remember(w, id, key, expiresMs);
      return true;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  });
}
