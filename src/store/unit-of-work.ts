import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store, Tx } from './store.js';

/**
 * A unit of work: something that must commit together with the change a piece of code makes
 * (the audit event of a write request). It is ambient (AsyncLocalStorage): the code that
 * makes the change knows nothing of it. The first store transaction that runs inside the
 * unit carries it: `beforeCommit` runs in that transaction after its own work, and the
 * transaction commits both or neither.
 */
export interface UnitOfWork {
  /** Runs in the carrying transaction, after its work and before its commit. */
  beforeCommit(tx: Tx): Promise<void>;
  /** Whether a transaction committed carrying the unit. */
  carried: boolean;
}

const units = new AsyncLocalStorage<{ unit: UnitOfWork; busy: boolean }>();

/** Units running now. */
let active = 0;

/**
 * Runs fn with `unit` ambient: the first transaction fn commits carries it. While no unit
 * runs, the storage is disabled: Node then tracks no promise for it, so requests that open no
 * unit (reads) pay nothing for it.
 */
export async function runInUnitOfWork<T>(unit: UnitOfWork, fn: () => Promise<T>): Promise<T> {
  active++;
  try {
    return await units.run({ unit, busy: false }, fn);
  } finally {
    if (--active === 0) units.disable();
  }
}

/**
 * Runs fn outside any unit of work: its transactions carry nothing. For bookkeeping that
 * precedes the change a request makes (a failed-password counter), whose transaction must
 * not take the request's event with it.
 */
export function outsideUnitOfWork<T>(fn: () => T): T {
  return units.exit(fn);
}

/**
 * The store with its transactions joining the ambient unit of work. Everything else is the
 * store's own.
 */
export function withUnitsOfWork(store: Store): Store {
  const transaction = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const slot = units.getStore();
    if (!slot || slot.busy || slot.unit.carried) return store.transaction(fn);
    slot.busy = true;
    return store
      .transaction(async (tx) => {
        const result = await fn(tx);
        await slot.unit.beforeCommit(tx);
        return result;
      })
      .then(
        (result) => {
          slot.unit.carried = true;
          slot.busy = false;
          return result;
        },
        (err: unknown) => {
          slot.busy = false;
          throw err;
        },
      );
  };
  return {
    get db() {
      return store.db;
    },
    dialect: store.dialect,
    migrate: () => store.migrate(),
    ping: () => store.ping(),
    close: () => store.close(),
    transaction,
    snapshot: (fn) => store.snapshot(fn),
    first: (query, params) => store.first(query, params),
    claimNonces: (claims, now, purge) => store.claimNonces(claims, now, purge),
    insertRows: (tx, table, columns, rows) => store.insertRows(tx, table, columns, rows),
    ...(store.writeNow ? { writeNow: store.writeNow.bind(store) } : {}),
    ...(store.runWriterTask ? { runWriterTask: store.runWriterTask.bind(store) } : {}),
    ...(store.nonceLogFile !== undefined ? { nonceLogFile: store.nonceLogFile } : {}),
    ...(store.countNonces ? { countNonces: store.countNonces.bind(store) } : {}),
    ...(store.startWriter ? { startWriter: store.startWriter.bind(store) } : {}),
    ...(store.poolStats ? { poolStats: store.poolStats.bind(store) } : {}),
    ...(store.fresh ? { fresh: store.fresh.bind(store) } : {}),
  };
}
