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
} as const satisfies Record<string, { db: keyof WriterDbs; run: (dbs: WriterDbs, input: never) => unknown }>;

export type WriterTasks = typeof writerTasks;
export type WriterTaskName = keyof WriterTasks;
export type WriterTaskInput<K extends WriterTaskName> = Parameters<WriterTasks[K]['run']>[1];
export type WriterTaskOutput<K extends WriterTaskName> = ReturnType<WriterTasks[K]['run']>;

/** A task by name, typed for the runners (which hand it input of any task). */
export function writerTask(name: WriterTaskName): {
  readonly db: keyof WriterDbs;
  readonly run: (dbs: WriterDbs, input: unknown) => unknown;
} {
  const task = writerTasks[name] as { db: keyof WriterDbs; run: (dbs: WriterDbs, input: unknown) => unknown };
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
