import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import type { Database } from '../schema.js';
import type { HotParam, HotQuery, Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrations/index.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  readonly file: string;
  readonly busyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** The database file of a data directory. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'rampart.db');
}

/** Prepared statements kept per SQL text (the request path repeats the same few queries). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query it runs; better-sqlite3 statements can be reused as long as
 * each execution completes before the next starts, which holds (execution is synchronous).
 * Reuse saves the parse and plan of each request's queries.
 */
function withStatementCache(raw: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare(query: string) {
      let statement = cache.get(query);
      if (!statement) {
        statement = raw.prepare(query);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(query, statement);
      }
      return statement;
    },
  };
}

/**
 * The database holds sealed secrets and password hashes: its directory is created with mode
 * 0700 and the file with 0600, before SQLite opens it. SQLite gives its -wal and -shm files
 * the mode of the database file. Existing files are narrowed to 0600 too.
 */
function createPrivateFiles(file: string): void {
  const dir = join(file, '..');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      // Not the owner: the file keeps the mode its owner gave it.
    }
  }
}

/**
 * Opens (creating when needed) an SQLite database: WAL journal, a busy timeout, foreign keys
 * enforced. Transactions start with BEGIN IMMEDIATE; when another connection (another
 * process, or another Store on the same file) holds the write lock, the start is retried
 * with short asynchronous pauses instead of blocking the event loop.
 */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  if (opts.file !== ':memory:') createPrivateFiles(opts.file);
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  const raw = new SqliteDatabase(opts.file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // The pragma blocks the thread while waiting; transaction starts below do not rely on it.
  raw.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, 50)}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });

  async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      const deadline = Date.now() + busyTimeoutMs;
      for (let attempt = 0; ; attempt++) {
        try {
          await sql`begin immediate`.execute(conn);
          break;
        } catch (err) {
          if (!isBusy(err) || Date.now() > deadline) throw err;
          await sleep(Math.min(2 + attempt * 2, 25) + Math.random() * 5);
        }
      }
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        try {
          await sql`rollback`.execute(conn);
        } catch {
          // Already rolled back by SQLite itself.
        }
        throw err;
      }
    });
  }

  // Hot reads run on a read-only connection of their own: never inside another request's open
  // write transaction (they would see its uncommitted rows), never behind the writer's queue.
  let reader: SqliteDatabase.Database | undefined;
  const readStatements = new Map<string, SqliteDatabase.Statement>();
  function readStatement(query: HotQuery): SqliteDatabase.Statement {
    let statement = readStatements.get(query.name);
    if (!statement) {
      if (!reader) {
        reader = opts.file === ':memory:' ? raw : new SqliteDatabase(opts.file, { readonly: true });
        if (reader !== raw) reader.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, 50)}`);
      }
      statement = reader.prepare(query.sql);
      readStatements.set(query.name, statement);
    }
    return statement;
  }

  return {
    db,
    dialect: 'sqlite',
    first: <Row>(query: HotQuery, params: readonly HotParam[]) =>
      Promise.resolve(readStatement(query).get(...params) as Row | undefined),
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      if (reader && reader !== raw) reader.close();
      await db.destroy();
    },
    transaction,
  };
}
