import { openPostgresStore, isPostgresUrl } from './postgres/open.js';
import { openSqliteStore, sqliteFile } from './sqlite/open.js';
import type { OpenStoreOptions, Store } from './store.js';
import { withUnitsOfWork } from './unit-of-work.js';

export type {
  Store,
  Tx,
  StoreDialect,
  OpenStoreOptions,
  Database,
  HotQuery,
  HotParam,
  NonceClaim,
  PoolStats,
  SyncDb,
} from './store.js';
export { hotQuery } from './store.js';
export { isUniqueViolation } from './errors.js';
export { isPostgresUrl } from './postgres/open.js';
export { sqliteFile } from './sqlite/open.js';
export { runInUnitOfWork, outsideUnitOfWork, type UnitOfWork } from './unit-of-work.js';

/**
 * Opens the store and brings its schema up to date. A postgres:// or postgresql://
 * databaseUrl selects PostgreSQL; otherwise SQLite at `<dataDir>/rampart.db`. Its
 * transactions join the ambient unit of work (src/store/unit-of-work.ts).
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  let store: Store;
  if (isPostgresUrl(opts.databaseUrl)) {
    store = openPostgresStore({
      connectionString: opts.databaseUrl,
      poolSize: opts.poolSize,
      connectTimeoutMs: opts.connectTimeoutMs,
      statementTimeoutMs: opts.statementTimeoutMs,
    });
  } else {
    if (!opts.dataDir) throw new Error('openStore needs a dataDir (SQLite) or a postgres:// databaseUrl');
    store = openSqliteStore({
      file: sqliteFile(opts.dataDir),
      busyTimeoutMs: opts.sqliteBusyTimeoutMs,
      writerThread: opts.sqliteWriterThread,
      rowCache: opts.sqliteRowCache,
    });
  }
  store = withUnitsOfWork(store);
  if (!opts.skipMigrations) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
