/**
 * Whole-store work for the operator commands `rampart backup`, `restore` and `migrate-store`
 * (src/cli/backup.ts, src/cli/migrate-store.ts): the tables of a store, their row counts, a
 * consistent file copy of a SQLite database, and a row-for-row copy from one store to another.
 *
 * Values are copied verbatim: sealed secrets stay sealed under the same master key, the audit
 * chain keeps its hashes, and the store's record of its master keys comes along.
 */
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { liveNonces } from './sqlite/nonces.js';
import type { HotParam, Store } from './store.js';

/** The migration bookkeeping of each store is its own: never copied, never counted. */
const isBookkeeping = (name: string) => name.startsWith('rampart_migration') || name.startsWith('sqlite_');

/** The data tables of a store, in the order they were created (a table refers only to earlier ones). */
export async function storeTables(store: Store): Promise<string[]> {
  if (store.dialect === 'sqlite') {
    const r = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' order by rowid`.execute(store.db);
    return r.rows.map((x) => x.name).filter((n) => !isBookkeeping(n));
  }
  // PostgreSQL: tables ordered so that each comes after those its foreign keys point to.
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
    store.db,
  );
  const refs = await sql<{
    child: string;
    parent: string;
  }>`select tc.table_name as child, ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
        and ccu.constraint_schema = tc.constraint_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(store.db);
  const names = tables.rows.map((t) => t.name).filter((n) => !isBookkeeping(n));
  const ordered: string[] = [];
  const visit = (n: string, path: Set<string>) => {
    if (ordered.includes(n) || path.has(n)) return;
    path.add(n);
    for (const r of refs.rows) if (r.child === n && r.parent !== n) visit(r.parent, path);
    ordered.push(n);
  };
  for (const n of names) visit(n, new Set());
  return ordered;
}

/** Row counts per table. */
export async function tableCounts(
  store: StoreReader,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(store.db);
    counts[t] = Number(r.rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * The tables of the source whose count in the copy differs, as `table: source != copy`. Only the
 * source's tables count: a table the target database holds beside Rampart's (another
 * application's) is not part of the copy.
 */
export function countDifferences(source: Record<string, number>, copy: Record<string, number>): string[] {
  return Object.keys(source)
    .sort()
    .filter((t) => source[t] !== (copy[t] ?? 0))
    .map((t) => `${t}: ${source[t]} != ${copy[t] ?? 0}`);
}

/**
 * A consistent copy of a SQLite database file while servers keep writing to it: `VACUUM INTO`
 * reads one snapshot (WAL mode lets writers go on) and writes a compact new file, which then
 * gets the live claims of the nonce log in its `nonces` table. `out` must not exist. Returns the copy's `integrity_check` result ('ok' when sound).
 */
/**
 * The name `rampart restore --force` gives the database it replaces: `rampart.db.replaced-<time>`,
 * with its write-ahead log beside it under the same name.
 */
export function setAsideName(file: string, at: Date): string {
  return `${file}.replaced-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** The databases `rampart restore --force` set aside beside a store file (their names). */
export function setAsideDatabases(file: string): string[] {
  if (!existsSync(dirname(file))) return [];
  const prefix = `${basename(file)}.replaced-`;
  return readdirSync(dirname(file)).filter(
    (name) => name.startsWith(prefix) && !name.endsWith('-wal') && !name.endsWith('-shm'),
  );
}

export function backupSqliteFile(file: string, out: string): string {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  if (existsSync(out)) throw new Error(`${out} already exists; give a new file`);
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('vacuum into ?').run(out);
  } finally {
    db.close();
  }
  // It holds what the store holds (password hashes, sealed secrets, the audit trail): as private
  // as the store's own file, whatever the umask made it. (`rampart backup` also writes it inside
  // a directory of mode 0700 and links it into place, so nobody can open it before this.)
  chmodSync(out, 0o600);
  const copy = new SqliteDatabase(out, { fileMustExist: true });
  try {
    const insert = copy.prepare(
      'insert into nonces (access_key_id, nonce, expires_at) values (?, ?, ?) on conflict do nothing',
    );
    copy.transaction(() => {
      for (const n of liveNonces(file, Date.now())) {
        insert.run(n.accessKeyId, n.nonce, new Date(n.expiresMs).toISOString());
      }
    })();
  } finally {
    copy.close();
  }
  return checkSqliteFile(out);
}

/**
 * Adds the live claims of a SQLite store's nonce log to another store's `nonces` table (see
 * `liveNonces`); the number of rows added.
 */
export async function copyLiveNonces(storeFile: string, to: Store): Promise<number> {
  let added = 0;
  let page: { access_key_id: string; nonce: string; expires_at: string }[] = [];
  const flush = async () => {
    if (page.length === 0) return;
    const r = await to.db
      .insertInto('nonces')
      .values(page)
      .onConflict((oc) => oc.columns(['access_key_id', 'nonce']).doNothing())
      .executeTakeFirst();
    added += Number(r.numInsertedOrUpdatedRows ?? 0);
    page = [];
  };
  for (const n of liveNonces(storeFile, Date.now())) {
    page.push({
      access_key_id: n.accessKeyId,
      nonce: n.nonce,
      expires_at: new Date(n.expiresMs).toISOString(),
    });
    if (page.length === PAGE) await flush();
  }
  await flush();
  return added;
}

/** `pragma integrity_check` of a SQLite file: 'ok', or the first problem it names. */
export function checkSqliteFile(file: string): string {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows[0]?.integrity_check ?? 'no answer';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    db.close();
  }
}

/** What reading a store's rows needs: its query builder (or a snapshot's) and its dialect. */
export type StoreReader = Pick<Store, 'db' | 'dialect'>;

/** Rows read and written per statement. */
const PAGE = 500;

/**
 * Copies every row of `tables` from `from` to `to` (which has the same schema and no rows), in
 * one transaction of the target: all or nothing. Returns the rows copied per table.
 */
export async function copyRows(
  from: StoreReader,
  to: Store,
  tables: readonly string[],
  onTable?: (table: string, rows: number) => void,
): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  await to.transaction(async (tx) => {
    for (const table of tables) {
      const columns = await columnsOf(from, table);
      // SQLite: the rowid order; PostgreSQL: every column, so that pages never overlap.
      const order = from.dialect === 'sqlite' ? sql`rowid` : sql.join(columns.map((c) => sql.ref(c)));
      let n = 0;
      for (let offset = 0; ; offset += PAGE) {
        const page = await sql<Record<string, HotParam>>`select * from ${sql.table(table)} order by ${order}
            limit ${PAGE} offset ${offset}`.execute(from.db);
        if (page.rows.length === 0) break;
        await to.insertRows(
          tx,
          table,
          columns,
          page.rows.map((r) => columns.map((c) => normalize(r[c]))),
        );
        n += page.rows.length;
        if (page.rows.length < PAGE) break;
      }
      copied[table] = n;
      onTable?.(table, n);
    }
  });
  return copied;
}

function normalize(v: unknown): HotParam {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return String(v);
}

async function columnsOf(store: StoreReader, table: string): Promise<string[]> {
  if (store.dialect === 'sqlite') {
    const r = await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(
      store.db,
    );
    return r.rows.map((x) => x.name);
  }
  const r = await sql<{ name: string }>`select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(
    store.db,
  );
  return r.rows.map((x) => x.name);
}

/** Row counts per data table of a SQLite file (a backup), opened read-only. */
export function sqliteFileCounts(file: string): Record<string, number> {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const names = (
      db.prepare("select name from sqlite_master where type = 'table' order by rowid").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .filter((n) => !isBookkeeping(n));
    const counts: Record<string, number> = {};
    for (const n of names)
      counts[n] = (db.prepare(`select count(*) as n from "${n}"`).get() as { n: number }).n;
    return counts;
  } finally {
    db.close();
  }
}

/**
 * Whether another connection has the SQLite database open: a server, or another rampart command,
 * on the data directory. Every connection to a database in WAL mode holds a shared lock on its
 * file while it is open (idle or not, and the lock goes with its process), so an exclusive lock
 * is refused exactly while one is open. Nothing is changed.
 */
export function sqliteInUse(file: string): boolean {
  const db = new SqliteDatabase(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    db.close();
  }
}
