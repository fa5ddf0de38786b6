import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { HotParam, HotQuery, Store, Tx } from '../store.js';
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
  const texts = new Map<string, string>();
  /** `?` placeholders become `$1`, `$2`, ... (hot queries contain no other question mark). */
  const pgText = (query: HotQuery): string => {
    let text = texts.get(query.name);
    if (text === undefined) {
      let n = 0;
      text = query.sql.replace(/\?/g, () => `$${++n}`);
      texts.set(query.name, text);
    }
    return text;
  };
  return {
    db,
    dialect: 'postgres',
    first: async <Row>(query: HotQuery, params: readonly HotParam[]) => {
      const result = await pool.query({ name: query.name, text: pgText(query), values: [...params] });
      return result.rows[0] as Row | undefined;
    },
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
    transaction: <T>(fn: (tx: Tx) => Promise<T>) => db.transaction().execute(fn),
  };
}
