/**
 * A writer thread of an SQLite store: connections of its own that run writer tasks
 * (writer-tasks.ts) sent by the serving thread, each in one BEGIN IMMEDIATE ... COMMIT. A store
 * starts one for each database its tasks write (src/store/sqlite/open.ts): the nonce claims of
 * every signed request on one, the appends of buffered audit events on another, so a claim
 * never waits behind an append. Both run on the machine's other core, instead of between the
 * serving thread's requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { openNonceLog } from './nonces.js';
import { inWriteTransaction, syncDbOf } from './sync-db.js';
import { writerTask, writerTaskFailed, type WriterDbs, type WriterTaskName } from './writer-tasks.js';

export interface WriterThreadData {
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
  | { readonly id: number; readonly ok: true; readonly output: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

const { file, busyTimeoutMs, mmapBytes } = workerData as WriterThreadData;
const raw = new SqliteDatabase(file);
raw.pragma('synchronous = NORMAL');
raw.pragma('foreign_keys = ON');
raw.pragma(`mmap_size = ${mmapBytes}`);
// This thread serves no requests: it may wait for a write lock as long as the store allows.
raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
const nonceRaw = openNonceLog(file, busyTimeoutMs);
const dbs: WriterDbs = { store: syncDbOf(raw), nonces: syncDbOf(nonceRaw) };

function run(name: WriterTaskName, input: unknown): unknown {
  const task = writerTask(name);
  try {
    return inWriteTransaction(task.db === 'store' ? raw : nonceRaw, () => task.run(dbs, input));
  } catch (err) {
    writerTaskFailed(name, dbs);
    throw err;
  }
}

const port = parentPort!;
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
  raw.close();
  nonceRaw.close();
});
