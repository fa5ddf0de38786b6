import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { HotParam, HotQuery, NonceClaim, Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrations/index.js';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  readonly poolSize?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
}

/** True for a postgres:// or postgresql:// URL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens a pool on a PostgreSQL database (READ COMMITTED transactions; see docs/storage.md). */
export function openPostgresStore(opts: PostgresStoreOptions): Store {
  const max = opts.poolSize ?? 10;
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max,
    // A database out of reach fails a request in bounded time instead of queueing it forever.
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    ...(statementTimeout > 0
      ? {
          statement_timeout: statementTimeout,
          // A connection lost without a reset (a dead peer) is given up a little after the server would cancel.
          query_timeout: statementTimeout + 5000,
        }
      : {}),
  });
  // A client that loses its connection must not crash the process: the pool listens on idle
  // clients only, so a client checked out (inside a transaction, between its statements) gets
  // a listener of its own. Its pending query fails (ServiceUnavailable) and the pool drops it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const texts = new Map<string, string>();
  /** Positional question-mark placeholders become `$1`, `$2`, in order (hot queries hold no other question mark). */
  const pgText = (query: HotQuery): string => {
    let text = texts.get(query.name);
    if (text === undefined) {
      let n = 0;
      text = query.sql.replace(/\?/g, () => `$${++n}`);
      texts.set(query.name, text);
    }
    return text;
  };
  /**
   * One statement for the whole group (one round trip, its own transaction): a row is
   * inserted, or an expired row of the same key and nonce taken over; the rows returned are
   * the claims that succeeded. Should the statement fail, each claim is tried on its own so
   * only the claim at fault fails.
   */
  const CLAIM_GROUP = `insert into nonces (access_key_id, nonce, expires_at)
    select * from unnest($1::text[], $2::text[], $3::text[])
    on conflict (access_key_id, nonce) do update set expires_at = excluded.expires_at
    where nonces.expires_at < $4
    returning access_key_id, nonce`;
  async function claimNonces(claims: readonly NonceClaim[], now: string, purge: boolean) {
    if (purge) await pool.query('delete from nonces where expires_at < $1', [now]);
    const run = async (group: readonly NonceClaim[]) => {
      const result = await pool.query<{ access_key_id: string; nonce: string }>({
        name: 'claim_nonces',
        text: CLAIM_GROUP,
        values: [
          group.map((c) => c.accessKeyId),
          group.map((c) => c.nonce),
          group.map((c) => c.expiresAt),
          now,
        ],
      });
      return new Set(result.rows.map((r) => `${r.access_key_id}\u0000${r.nonce}`));
    };
    try {
      const claimed = await run(claims);
      return claims.map((c) => claimed.has(`${c.accessKeyId}\u0000${c.nonce}`));
    } catch (err) {
      if (claims.length === 1) return [err instanceof Error ? err : new Error(String(err))];
      return Promise.all(
        claims.map(async (c): Promise<boolean | Error> => {
          try {
            return (await run([c])).size === 1;
          } catch (one) {
            return one instanceof Error ? one : new Error(String(one));
          }
        }),
      );
    }
  }

  /** Rows per statement (well under PostgreSQL's 65535 bound parameters). */
  const ROWS_PER_STATEMENT = 500;
  async function insertRows(
    tx: Tx,
    table: string,
    columns: readonly string[],
    rows: readonly (readonly HotParam[])[],
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      let n = 0;
      const values = chunk.map((r) => `(${r.map(() => `$${++n}`).join(', ')})`).join(', ');
      await tx.executeQuery(
        CompiledQuery.raw(`insert into ${table} (${columns.join(', ')}) values ${values}`, chunk.flat()),
      );
    }
  }

  return {
    db,
    dialect: 'postgres',
    insertRows,
    claimNonces,
    first: async <Row>(query: HotQuery, params: readonly HotParam[]) => {
      const result = await pool.query({ name: query.name, text: pgText(query), values: [...params] });
      return result.rows[0] as Row | undefined;
    },
    migrate: () => migrateToLatest(db),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
    transaction: <T>(fn: (tx: Tx) => Promise<T>) => db.transaction().execute(fn),
    // REPEATABLE READ: every statement of the transaction sees the snapshot its first one took.
    snapshot: <T>(fn: (tx: Tx) => Promise<T>) =>
      db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
  };
}
