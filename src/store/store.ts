import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { WriterTaskInput, WriterTaskName, WriterTaskOutput } from './sqlite/writer-tasks.js';

export type { Database } from './schema.js';

/** A Kysely handle bound to one transaction (or the plain database outside one). */
export type Tx = Kysely<Database>;

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * A read the request path runs on every signed request (the AccessKey, the entity a request
 * names, the user GetUser answers). Written once in the SQL both engines speak, with
 * positional question-mark placeholders; prepared once per connection and run without the query builder.
 */
export interface HotQuery {
  /** Unique per query: the name of the PostgreSQL prepared statement. */
  readonly name: string;
  readonly sql: string;
}

export type HotParam = string | number | null;

/** Synchronous statements inside `Store.writeNow` (SQLite), prepared once per SQL text. */
export interface SyncDb {
  /** A Uint8Array binds as a blob (`cast(? as text)` reads its UTF-8 bytes as text). */
  get<Row>(sql: string, params: readonly (HotParam | Uint8Array)[]): Row | undefined;
  all<Row>(sql: string, params: readonly HotParam[]): Row[];
  /** A Uint8Array binds as a blob (`cast(? as text)` stores its UTF-8 bytes as text). */
  run(sql: string, params: readonly (HotParam | Uint8Array)[]): void;
  /** `run` for an INSERT: the rowid of the row it inserted (cheaper than `returning`). */
  insert(sql: string, params: readonly HotParam[]): number;
}

/** One SignatureNonce to record for an AccessKey. Times are ISO 8601 UTC text. */
export interface NonceClaim {
  readonly accessKeyId: string;
  readonly nonce: string;
  readonly expiresAt: string;
}

export function hotQuery(name: string, sql: string): HotQuery {
  return { name, sql };
}

/**
 * The persistence layer. One query layer (Kysely) over two engines: SQLite (embedded,
 * default) and PostgreSQL (shared by several nodes).
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Runs the versioned migrations that have not run yet (idempotent; recorded in a table). */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs fn in one transaction: committed when fn resolves, rolled back when it throws.
   * On SQLite the transaction takes the write lock at its start (BEGIN IMMEDIATE), so
   * read-then-write sequences never interleave. Inside fn, use only `tx`; transactions do
   * not nest (on SQLite a transaction started inside another waits for it forever).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs fn's reads on one snapshot of what was committed when its first read ran, without
   * taking the write lock: commits made meanwhile are not seen, and nobody waits for fn. For
   * reads that must agree with each other (the audit trail's events, checkpoints and heads).
   * fn must not write.
   */
  snapshot<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * The first row of a hot read, outside any transaction: it sees only committed data (on
   * SQLite it runs on a read-only connection of its own, which WAL lets read while a write
   * transaction is open; on PostgreSQL, a pooled connection with a prepared statement).
   */
  first<Row>(query: HotQuery, params: readonly HotParam[]): Promise<Row | undefined>;
  /**
   * Records a group of nonce claims, committed before the promise resolves. For each claim:
   * true when the nonce was free (or its row had expired before `now`), false when the key
   * already holds it, or the Error that claim alone met (the others are unaffected). The
   * claims must not repeat a (key, nonce) pair. With `purge`, expired rows go first.
   */
  claimNonces(claims: readonly NonceClaim[], now: string, purge: boolean): Promise<(boolean | Error)[]>;
  /**
   * Inserts rows into a table inside the transaction `tx` (from `transaction`), without the
   * query builder: on SQLite one prepared statement run per row on the transaction's own
   * connection; on PostgreSQL multi-row statements. For bulk appends (the audit trail).
   */
  insertRows(
    tx: Tx,
    table: string,
    columns: readonly string[],
    rows: readonly (readonly HotParam[])[],
  ): Promise<void>;
  /**
   * SQLite only: runs `fn` between BEGIN IMMEDIATE and COMMIT on the writer's connection
   * without yielding, its statements run synchronously through `db`. No request waits on the
   * transaction while it is open, and no read moves to the read-only connection meanwhile.
   * Rolled back when fn throws. Absent on PostgreSQL (use `transaction`).
   */
  writeNow?<T>(fn: (db: SyncDb) => T): Promise<T>;
  /**
   * SQLite only: runs a writer task (src/store/sqlite/writer-tasks.ts) in a transaction of its
   * own, on the store's writer thread while it runs, else through `writeNow`. Resolves once
   * committed. Absent on PostgreSQL.
   */
  runWriterTask?<K extends WriterTaskName>(name: K, input: WriterTaskInput<K>): Promise<WriterTaskOutput<K>>;
  /**
   * SQLite: starts the writer thread now, instead of with the first writer task, and resolves
   * once it has read the nonce log (a server calls it before it listens).
   */
  startWriter?(): Promise<void>;
  /** SQLite: the file of the nonce log (src/store/sqlite/nonces.ts; ':memory:' for an in-memory store). */
  readonly nonceLogFile?: string;
  /** SQLite: the rows of the nonce log (claimed nonces not yet purged). PostgreSQL: absent (rows of `nonces`). */
  countNonces?(): Promise<number>;
  /** PostgreSQL: the connections of the pool (open, idle, callers waiting for one); SQLite: absent. */
  poolStats?(): PoolStats;
  /**
   * SQLite with its row cache (src/store/sqlite/row-cache.ts): a request arrived; resolves once
   * the hot reads it makes may be answered from memory. A server calls it for every request it
   * receives, before anything else. Absent without the cache.
   */
  fresh?(): Promise<void>;
}

export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

export interface OpenStoreOptions {
  /** Directory of the embedded SQLite database (`<dataDir>/rampart.db`). */
  readonly dataDir?: string;
  /** postgres:// or postgresql:// selects PostgreSQL; anything else is ignored. */
  readonly databaseUrl?: string;
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly sqliteBusyTimeoutMs?: number;
  /**
   * SQLite: run writer tasks on a thread of their own (src/store/sqlite/writer-thread.ts). Default
   * false; `rampart serve` turns it on unless RAMPART_SQLITE_WRITER_THREAD=off.
   */
  readonly sqliteWriterThread?: boolean;
  /**
   * SQLite: keep the rows of hot reads in memory while the file is unchanged
   * (src/store/sqlite/row-cache.ts). Default false; `rampart serve` turns it on unless
   * RAMPART_SQLITE_ROW_CACHE=off. Needs a caller of `Store.fresh` for every request.
   */
  readonly sqliteRowCache?: boolean;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a new connection before failing (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: the server cancels a statement that runs longer (default 30000 ms; 0: never). */
  readonly statementTimeoutMs?: number;
  /** Skip migrations at open (default: migrations run at open). */
  readonly skipMigrations?: boolean;
}
