/**
 * A writer thread of an SQLite store: connections of its own that run writer tasks
 * (writer-tasks.ts) sent by the serving thread, each in one BEGIN IMMEDIATE ... COMMIT (but a
 * checkpoint, which runs outside any). A store starts one for each database its tasks write
 * (src/store/sqlite/open.ts): the nonce claims of every signed request on one, the appends of
 * buffered audit events on another, so a claim
 * never waits behind an append. Both run on the machine's other core, instead of between the
 * serving thread's requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { claimNoncesNow, openNonceLog } from './nonces.js';
import type { HotParam, SyncDb } from '../store.js';
import { inWriteTransaction, syncDbOf } from './sync-db.js';
import { writerTask, writerTaskFailed, type WriterDbs, type WriterTaskName } from './writer-tasks.js';

export interface WriterThreadData {
  /** The database its tasks write: opened as the thread starts (the other one only if read). */
  readonly db: keyof WriterDbs;
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly mmapBytes: number;
}

export interface WriterRequest {
  readonly id: number;
  readonly name: WriterTaskName;
  readonly input: unknown;
}

export type WriterReply =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly output: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

const { db, file, busyTimeoutMs, mmapBytes } = workerData as WriterThreadData;

function openStore(): SqliteDatabase.Database {
  const raw = new SqliteDatabase(file);
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`mmap_size = ${mmapBytes}`);
  // This thread serves no requests: it may wait for a write lock as long as the store allows.
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Its commits are checkpointed by a task of their own once the serving thread's held read has
  // moved past them (checkpointStore): one that ran at the commit would stop short of the end.
  raw.pragma('wal_autocheckpoint = 0');
  return raw;
}

const opened = new Map<keyof WriterDbs, SqliteDatabase.Database>();
/** A connection of this thread, opened when first used. */
function connection(name: keyof WriterDbs): SqliteDatabase.Database {
  let raw = opened.get(name);
  if (!raw) opened.set(name, (raw = name === 'store' ? openStore() : openNonceLog(file, busyTimeoutMs)));
  return raw;
}
// The database this thread writes is opened now: a thread that cannot open it stops at once.
connection(db);
const dbs: WriterDbs = { store: lazySyncDb('store'), nonces: lazySyncDb('nonces') };

/** A SyncDb whose connection is opened at its first statement (the nonce thread reads the store once). */
function lazySyncDb(name: keyof WriterDbs): SyncDb {
  let inner: SyncDb | undefined;
  const get = () => (inner ??= syncDbOf(connection(name)));
  return {
    get: <Row>(sql: string, params: readonly (HotParam | Uint8Array)[]) => get().get<Row>(sql, params),
    all: <Row>(sql: string, params: readonly HotParam[]) => get().all<Row>(sql, params),
    run: (sql, params) => get().run(sql, params),
    insert: (sql, params) => get().insert(sql, params),
  };
}

function run(name: WriterTaskName, input: unknown): unknown {
  const task = writerTask(name);
  try {
    if (task.transaction === false) return task.run(dbs, input);
    return inWriteTransaction(connection(task.db), () => task.run(dbs, input));
  } catch (err) {
    writerTaskFailed(name, dbs);
    throw err;
  }
}

if (db === 'nonces') {
  // The live nonces are read into memory before this thread takes a claim, outside a write
  // transaction: claims made meanwhile (by the serving thread, other processes) go on.
  claimNoncesNow(dbs.nonces, dbs.store, { claims: [], now: new Date().toISOString(), purge: false });
}

const port = parentPort!;
// Its database is open (and its nonces read): tasks sent from now on find them.
port.postMessage({ ready: true } satisfies WriterReply);
port.on('message', ({ id, name, input }: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = { id, ok: true, output: run(name, input) };
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    reply = {
      id,
      ok: false,
      message: err instanceof Error ? err.message : String(err),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  port.postMessage(reply);
});
port.on('close', () => {
  for (const raw of opened.values()) raw.close();
});
