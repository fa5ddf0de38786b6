import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrations/index.js';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
}

/** True for a postgres:// or postgresql:// URL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens a pool on a PostgreSQL database (READ COMMITTED transactions; see docs/storage.md). */
export function openPostgresStore(opts: PostgresStoreOptions): Store {
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? 10 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
    transaction: <T>(fn: (tx: Tx) => Promise<T>) => db.transaction().execute(fn),
  };
}
