import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  SqliteDialect,
  sql,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteStatement as KyselySqliteStatement,
} from 'kysely';
import type { Database } from '../schema.js';
import type { HotParam, HotQuery, Store, SyncDb, Tx } from '../store.js';
import { migrateToLatest } from '../migrations/index.js';
import { createPrivateFiles, useWal } from './files.js';
import { keepSharedLock } from './lock-keeper.js';
import { nonceFileOf, openNonceLog } from './nonces.js';
import { createRowCache } from './row-cache.js';
import { inWriteTransaction, syncDbOf } from './sync-db.js';
import { startWriterThread, type WriterThread } from './writer-client.js';
import {
  writerTask,
  writerTaskFailed,
  type WriterDbs,
  type WriterTaskInput,
  type WriterTaskName,
  type WriterTaskOutput,
} from './writer-tasks.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  readonly file: string;
  readonly busyTimeoutMs?: number;
  /** Run writer tasks on a thread of their own (default false: one-shot commands do without; never for ':memory:'). */
  readonly writerThread?: boolean;
  /** Keep the rows of hot reads in memory while the file is unchanged (row-cache.ts; never for ':memory:'). */
  readonly rowCache?: boolean;
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

/** Database pages are read through a memory map of up to this size instead of read() calls. */
const MMAP_BYTES = 256 * 1024 * 1024;
/**
 * After a writer thread stops, its tasks run on the serving thread until a new one is started:
 * a second after the first stop, twice as long after each next one, at most five minutes.
 */
export const WRITER_RESTART_FIRST_MS = 1000;
const WRITER_RESTART_MAX_MS = 5 * 60 * 1000;

/** Prepared statements kept per SQL text (the request path repeats the same few queries). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query it runs; better-sqlite3 statements can be reused as long as
 * each execution completes before the next starts, which holds (execution is synchronous).
 * Reuse saves the parse and plan of each request's queries.
 */
function withStatementCache(raw: SqliteDatabase.Database, wrote: () => void): KyselySqliteDatabase {
  const cache = new Map<string, KyselySqliteStatement>();
  return {
    close: () => raw.close(),
    prepare(query: string) {
      let statement = cache.get(query);
      if (!statement) {
        const prepared = raw.prepare(query);
        statement = prepared.readonly ? prepared : tellingWrites(prepared, wrote);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(query, statement);
      }
      return statement;
    },
  };
}

/** A statement that may write, which calls `wrote` once it has run (committed, outside a transaction). */
function tellingWrites(statement: SqliteDatabase.Statement, wrote: () => void): KyselySqliteStatement {
  const after = <T>(run: () => T): T => {
    try {
      return run();
    } finally {
      wrote();
    }
  };
  return {
    reader: statement.reader,
    all: (params) => after(() => statement.all(params)),
    run: (params) => after(() => statement.run(params)),
    iterate: (params) => tellingEnd(statement.iterate(params), wrote),
  };
}

function* tellingEnd<T>(rows: IterableIterator<T>, wrote: () => void): IterableIterator<T> {
  try {
    yield* rows;
  } finally {
    wrote();
  }
}

/** The row cache of the file `raw` is open on (a read first: in WAL mode the log's index exists once the file has been read). */
function openRowCache(raw: SqliteDatabase.Database, file: string) {
  raw.prepare('select 1 from sqlite_master limit 1').get();
  return createRowCache(file);
}

/** A hot read's statement: its first row as an object keyed by column name. */
interface HotStatement {
  first(params: readonly HotParam[]): Record<string, unknown> | undefined;
}

/**
 * Prepares a hot read in raw mode (rows as arrays) and names the columns here. In object mode
 * better-sqlite3 looks every column name up in V8's string table again for every row, which
 * was the largest single part of a point read's CPU beside SQLite itself. A name that occurs
 * twice keeps its last value, as object mode does. Only for a query that lists its columns:
 * the columns of `*` follow the schema, which another process may change under a prepared
 * statement (SQLite then prepares it again), so such a query keeps object mode.
 */
function prepareHot(db: SqliteDatabase.Database, text: string): HotStatement {
  if (text.includes('*')) {
    const byName = db.prepare(text);
    return { first: (params) => byName.get(...params) as Record<string, unknown> | undefined };
  }
  const statement = db.prepare(text).raw(true);
  const names = statement.columns().map((c) => c.name);
  return {
    first(params) {
      const values = statement.get(...params) as unknown[] | undefined;
      if (!values) return undefined;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      return row;
    },
  };
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
  // Opening waits while another connection creates the same new file.
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
  raw.pragma('page_size = 16384');
  useWal(raw, busyTimeoutMs);
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  if (opts.file !== ':memory:') raw.pragma(`mmap_size = ${MMAP_BYTES}`);
  // The pragma blocks the thread while waiting; transaction starts below do not rely on it.
  raw.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, 50)}`);
  // A server's statements skip the system calls of the file's shared lock (see lock-keeper.ts).
  const keeper = opts.writerThread && opts.file !== ':memory:' ? keepSharedLock(opts.file) : undefined;
  const rows = opts.rowCache && opts.file !== ':memory:' ? openRowCache(raw, opts.file) : undefined;
  const changed = rows ? () => rows.changed() : () => undefined;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(raw, changed) }),
  });

  /** BEGIN IMMEDIATE, retried with short asynchronous pauses while another connection writes. */
  async function beginImmediate(begin: () => unknown): Promise<void> {
    const deadline = Date.now() + busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await begin();
        return;
      } catch (err) {
        if (!isBusy(err) || Date.now() > deadline) throw err;
        await sleep(Math.min(2 + attempt * 2, 25) + Math.random() * 5);
      }
    }
  }

  async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await beginImmediate(() => sql`begin immediate`.execute(conn));
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        keeper?.renew();
        return result;
      } catch (err) {
        try {
          await sql`rollback`.execute(conn);
        } catch {
          // Already rolled back by SQLite itself.
        }
        throw err;
      } finally {
        changed();
      }
    });
  }

  /**
   * A read transaction on a read-only connection of its own: in WAL mode it reads the snapshot
   * its first statement found until it ends, while writers go on. An in-memory database has
   * no other connection: there fn runs in a write transaction (nothing writes meanwhile).
   */
  async function snapshot<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (opts.file === ':memory:') return transaction(fn);
    const conn = new SqliteDatabase(opts.file, { readonly: true, fileMustExist: true });
    conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
    try {
      return await reader.connection().execute(async (c) => {
        await sql`begin`.execute(c);
        try {
          return await fn(c);
        } finally {
          await sql`rollback`.execute(c);
        }
      });
    } finally {
      await reader.destroy();
    }
  }

  let begin: SqliteDatabase.Statement | undefined;
  let commit: SqliteDatabase.Statement | undefined;
  const syncDb: SyncDb = syncDbOf(raw);

  /**
   * Writes on the writer's connection while holding the query builder's connection (so no
   * other transaction is open on it), synchronously from BEGIN to COMMIT: no other request's
   * statement runs while the transaction is open.
   */
  async function writeNow<T>(fn: (db: SyncDb) => T): Promise<T> {
    begin ??= raw.prepare('begin immediate');
    commit ??= raw.prepare('commit');
    const write = (): T => {
      try {
        const out = fn(syncDb);
        commit!.run();
        keeper?.renew();
        return out;
      } catch (err) {
        if (raw.inTransaction) raw.exec('rollback');
        throw err;
      } finally {
        changed();
      }
    };
    // No transaction open on the connection: nothing uncommitted can be mixed in, and the
    // synchronous write cannot interleave with the query builder's asynchronous work.
    if (!raw.inTransaction) {
      try {
        begin.run();
        return write();
      } catch (err) {
        if (!isBusy(err) || raw.inTransaction) throw err;
      }
    }
    // A transaction is open (or another connection holds the write lock): wait for the
    // connection, then for the lock.
    return db.connection().execute(async () => {
      await beginImmediate(() => begin!.run());
      return write();
    });
  }

  // Two writer threads, one per database file a task writes: nonce claims (the nonce log) and
  // the store's own writes (audit batches). A claim, which every signed request waits for,
  // never waits behind an audit batch's commit and the checkpoint that may follow it. Each
  // thread starts with the first task for it (a command that writes no nonce and no audit
  // batch never starts one). Without its thread, or while a stopped one waits to be started
  // again, a task runs here.
  const useThread = (opts.writerThread ?? false) && opts.file !== ':memory:';
  const threads = new Map<keyof WriterDbs, WriterThread | undefined>();
  /** Per database, how often its thread has stopped. */
  const stops = new Map<keyof WriterDbs, number>();
  /** When a new thread may replace a stopped one (set when the stop is first seen). */
  const restartAt = new WeakMap<WriterThread, number>();
  let closing = false;

  /** The running thread for a database's tasks, started (or started again) when due; else undefined. */
  function writerThread(name: keyof WriterDbs): WriterThread | undefined {
    if (!useThread || closing) return undefined;
    let thread = threads.get(name);
    if (threads.has(name) && !thread) return undefined; // no compiled thread module here
    if (!thread?.alive) {
      if (thread && !restartDue(name, thread)) return undefined;
      thread = startWriterThread({ db: name, file: opts.file, busyTimeoutMs, mmapBytes: MMAP_BYTES });
      threads.set(name, thread);
      if (!thread) return undefined;
    }
    // A thread started again is used once it has opened its database: a start that fails
    // costs no task.
    return !stops.has(name) || thread.ready ? thread : undefined;
  }

  /** Whether the pause after `stopped` is over: its tasks run here meanwhile, longer after each stop. */
  function restartDue(name: keyof WriterDbs, stopped: WriterThread): boolean {
    let at = restartAt.get(stopped);
    if (at === undefined) {
      const count = (stops.get(name) ?? 0) + 1;
      stops.set(name, count);
      at = Date.now() + Math.min(WRITER_RESTART_FIRST_MS * 2 ** (count - 1), WRITER_RESTART_MAX_MS);
      restartAt.set(stopped, at);
    }
    return Date.now() >= at;
  }
  let nonceRaw: SqliteDatabase.Database | undefined;
  let nonceDb: SyncDb | undefined;
  /** The serving thread's own connection to the nonce log (the writer thread has another). */
  function nonceLog(): SqliteDatabase.Database {
    return (nonceRaw ??= openNonceLog(opts.file, busyTimeoutMs));
  }

  /**
   * After the writer thread committed to the store's file: the log is copied into the file up to
   * its end, then the held read moves on once more. Under a steady stream of batches the held
   * read would otherwise always predate the last commit, no checkpoint would reach the log's end,
   * and the log would never start over but grow by everything written, each commit extending the
   * file (figures in docs/storage.md and docs/performance.md). With the held read on the fully
   * copied file, the next commit writes the log from its start. One checkpoint at a time (a commit
   * made meanwhile gets one after it); a failed one changes nothing but that.
   */
  let checkpointing: 'no' | 'yes' | 'again' = 'no';
  function checkpointAfterCommit(thread: WriterThread): void {
    if (checkpointing !== 'no') {
      checkpointing = 'again';
      return;
    }
    checkpointing = 'yes';
    const done = () => {
      const again = checkpointing === 'again';
      checkpointing = 'no';
      if (again && thread.alive) checkpointAfterCommit(thread);
    };
    thread.run('checkpointStore', {}).then(() => {
      keeper?.renew();
      done();
    }, done);
  }

  function runWriterTask<K extends WriterTaskName>(
    name: K,
    input: WriterTaskInput<K>,
  ): Promise<WriterTaskOutput<K>> {
    const task = writerTask(name);
    const thread = writerThread(task.db);
    if (thread) {
      const done = thread.run(name, input);
      if (task.db !== 'store' || task.transaction === false) return done;
      // The thread's commits to the store's file move the held read on too.
      return done.finally(() => {
        keeper?.renew();
        changed();
        checkpointAfterCommit(thread);
      });
    }
    const log = nonceLog();
    const nonces = (nonceDb ??= syncDbOf(log));
    const dbs = { store: syncDb, nonces };
    const runTask = () => task.run(dbs, input) as WriterTaskOutput<K>;
    // A task outside any transaction runs here only while none is open on the connection.
    if (task.transaction === false)
      return new Promise((resolve) =>
        resolve((raw.inTransaction ? undefined : runTask()) as WriterTaskOutput<K>),
      );
    const done =
      task.db === 'store'
        ? writeNow(runTask)
        : new Promise<WriterTaskOutput<K>>((resolve) => resolve(inWriteTransaction(log, runTask)));
    return done.catch((err: unknown) => {
      writerTaskFailed(name, dbs);
      throw err;
    });
  }

  // Hot reads run on the writer's own connection while it has no transaction open (its page
  // cache stays warm: its own commits never invalidate it). While a write transaction is open
  // on it, they run on a read-only connection instead, so they never see rows that transaction
  // has not committed.
  let reader: SqliteDatabase.Database | undefined;
  const hot = new Map<string, HotStatement>();
  const hotOnReader = new Map<string, HotStatement>();
  function hotStatement(query: HotQuery): HotStatement {
    if (!raw.inTransaction) {
      let statement = hot.get(query.name);
      if (!statement) hot.set(query.name, (statement = prepareHot(raw, query.sql)));
      return statement;
    }
    let statement = hotOnReader.get(query.name);
    if (!statement) {
      if (!reader) {
        reader = new SqliteDatabase(opts.file, { readonly: true });
        reader.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, 50)}`);
        reader.pragma(`mmap_size = ${MMAP_BYTES}`);
      }
      hotOnReader.set(query.name, (statement = prepareHot(reader, query.sql)));
    }
    return statement;
  }

  const inserts = new Map<string, SqliteDatabase.Statement>();
  async function insertRows(
    _tx: Tx,
    table: string,
    columns: readonly string[],
    rows: readonly (readonly HotParam[])[],
  ): Promise<void> {
    // The transaction holds the only connection (raw): its statements run inside it.
    if (!raw.inTransaction) throw new Error('insertRows runs inside a transaction');
    const text = `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
    let statement = inserts.get(text);
    if (!statement) inserts.set(text, (statement = raw.prepare(text)));
    for (const row of rows) statement.run(...row);
    return Promise.resolve();
  }

  return {
    db,
    dialect: 'sqlite',
    insertRows,
    first: <Row>(query: HotQuery, params: readonly HotParam[]) => {
      const read = () => hotStatement(query).first(params);
      // Inside a write transaction the row comes from the read-only connection: never kept.
      const row = rows && !raw.inTransaction ? rows.first(query.name, params, read) : read();
      return Promise.resolve(row as Row | undefined);
    },
    ...(rows ? { fresh: () => rows.fresh() } : {}),
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      closing = true;
      rows?.close();
      keeper?.close();
      await Promise.all([...threads.values()].map((t) => t?.close()));
      nonceRaw?.close();
      reader?.close();
      await db.destroy();
    },
    transaction,
    snapshot,
    claimNonces: (claims, now, purge) => runWriterTask('claimNonces', { claims, now, purge }),
    async startWriter() {
      // An empty group: the nonce thread starts, opens its connections and reads the live log.
      // A thread that fails to start leaves the tasks to this thread, which then does the same.
      const warm = () =>
        runWriterTask('claimNonces', { claims: [], now: new Date().toISOString(), purge: false });
      await warm().catch((err: unknown) => {
        const thread = threads.get('nonces');
        if (!thread || thread.alive) throw err;
        return warm();
      });
    },
    nonceLogFile: nonceFileOf(opts.file),
    countNonces: () =>
      Promise.resolve(
        Number((nonceLog().prepare('select count(*) as n from nonce_log').get() as { n: number }).n),
      ),
    writeNow,
    runWriterTask,
  };
}
