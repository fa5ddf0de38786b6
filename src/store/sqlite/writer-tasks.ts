import { appendEventsNow, insertCheckpointsNow } from '../../audit/chain.js';
import type { SyncDb } from '../store.js';
import { claimNoncesNow, forgetNonceWindow } from './nonces.js';

/** The connections a writer task may use: the store's database and its nonce log. */
export interface WriterDbs {
  readonly store: SyncDb;
  readonly nonces: SyncDb;
}

/**
 * The writes an SQLite store can run on its writer thread (writer-thread.ts): each a function
 * of synchronous connections and plain, cloneable input, run between BEGIN IMMEDIATE and
 * COMMIT on the database it names. Without the thread (an in-memory database, or the thread
 * turned off) the same functions run on the serving thread.
 */
export const writerTasks = {
  claimNonces: {
    db: 'nonces',
    run: (dbs: WriterDbs, input: Parameters<typeof claimNoncesNow>[2]) =>
      claimNoncesNow(dbs.nonces, dbs.store, input),
  },
  appendAuditEvents: {
    db: 'store',
    run: (dbs: WriterDbs, input: Parameters<typeof appendEventsNow>[1]) => appendEventsNow(dbs.store, input),
  },
  insertAuditCheckpoints: {
    db: 'store',
    run: (dbs: WriterDbs, input: Parameters<typeof insertCheckpointsNow>[1]) =>
      insertCheckpointsNow(dbs.store, input),
  },
  /**
   * Copies the write-ahead log into the store's file as far as every reader allows, outside a
   * transaction (SQLite's passive checkpoint: it waits for nobody). Run after each batch the
   * thread commits, once the serving thread's held read has moved past that commit (see
   * `checkpointAfterCommit` in open.ts): the checkpoint then reaches the end of the log, and the next
   * batch writes the log from its start again instead of growing it.
   */
  checkpointStore: {
    db: 'store',
    transaction: false,
    run: (dbs: WriterDbs, _input: Record<string, never>) =>
      dbs.store.get<{ busy: number; log: number; checkpointed: number }>(
        'pragma wal_checkpoint(passive)',
        [],
      ),
  },
} as const satisfies Record<
  string,
  { db: keyof WriterDbs; transaction?: false; run: (dbs: WriterDbs, input: never) => unknown }
>;

export type WriterTasks = typeof writerTasks;
export type WriterTaskName = keyof WriterTasks;
export type WriterTaskInput<K extends WriterTaskName> = Parameters<WriterTasks[K]['run']>[1];
export type WriterTaskOutput<K extends WriterTaskName> = ReturnType<WriterTasks[K]['run']>;

/** A task as the runners see it: by default it runs between BEGIN IMMEDIATE and COMMIT. */
export interface WriterTask {
  readonly db: keyof WriterDbs;
  /** False: run as it is, outside any transaction. */
  readonly transaction?: false;
  readonly run: (dbs: WriterDbs, input: unknown) => unknown;
}

/** A task by name, typed for the runners (which hand it input of any task). */
export function writerTask(name: WriterTaskName): WriterTask {
  const task = writerTasks[name] as WriterTask;
  if (!task) throw new Error(`unknown writer task ${String(name)}`);
  return task;
}

/**
 * Called where a task's transaction was rolled back (or never began): a task that keeps state
 * beside the database drops it, so it is read again from what was committed.
 */
export function writerTaskFailed(name: WriterTaskName, dbs: WriterDbs): void {
  if (name === 'claimNonces') forgetNonceWindow(dbs.nonces);
}
