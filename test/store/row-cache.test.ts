import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRowCache, type RowCache } from '../../src/store/sqlite/row-cache.js';

/**
 * The row cache of a server's SQLite file (src/store/sqlite/row-cache.ts): a row comes from
 * memory only after a check of the file that followed every request in flight, and only
 * while nothing has committed since.
 */
describe('SQLite row cache', () => {
  let dir: string;
  let file: string;
  let cache: RowCache | undefined;
  const open: SqliteDatabase.Database[] = [];

  function connect(): SqliteDatabase.Database {
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    open.push(db);
    return db;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-rows-'));
    file = join(dir, 'store.db');
    const db = connect();
    db.exec("create table k (id text primary key, status text); insert into k values ('a', 'Active')");
  });
  afterEach(() => {
    cache?.close();
    cache = undefined;
    for (const db of open.splice(0)) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A reader of table k on its own connection, counting the statements it runs. */
  function reader() {
    const db = connect();
    const statement = db.prepare('select status from k where id = ?');
    const counted = { runs: 0 };
    const read = (id: string) => () => {
      counted.runs++;
      return statement.get(id) as Record<string, unknown> | undefined;
    };
    return { counted, read };
  }

  it('answers from memory only after a check that followed the request', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    // No check yet: every read runs.
    cache.first('k', ['a'], read('a'));
    cache.first('k', ['a'], read('a'));
    expect(counted.runs).toBe(2);

    await cache.fresh();
    expect(cache.first('k', ['a'], read('a'))).toEqual({ status: 'Active' });
    expect(cache.first('k', ['a'], read('a'))).toEqual({ status: 'Active' });
    expect(counted.runs).toBe(3);

    // A request arrives: until the next check, nothing comes from memory.
    const arrived = cache.fresh();
    cache.first('k', ['a'], read('a'));
    expect(counted.runs).toBe(4);
    await arrived;
    cache.first('k', ['a'], read('a'));
    expect(counted.runs).toBe(4);
  });

  it('sees a commit of another connection (another process) at the next check', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    const other = connect();
    await cache.fresh();
    expect(cache.first('k', ['a'], read('a'))).toEqual({ status: 'Active' });
    for (let i = 0; i < 50; i++) {
      const status = i % 2 === 0 ? 'Inactive' : 'Active';
      other.prepare('update k set status = ? where id = ?').run(status, 'a');
      await cache.fresh();
      const runs = counted.runs;
      expect(cache.first('k', ['a'], read('a'))).toEqual({ status });
      expect(counted.runs).toBe(runs + 1);
      // Until the next commit, from memory.
      expect(cache.first('k', ['a'], read('a'))).toEqual({ status });
      expect(counted.runs).toBe(runs + 1);
    }
  });

  it('sees a commit that changes nothing it keeps, and one in another table', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    const other = connect();
    other.exec('create table t (x)');
    await cache.fresh();
    cache.first('k', ['a'], read('a'));
    other.prepare('insert into t values (1)').run();
    await cache.fresh();
    cache.first('k', ['a'], read('a'));
    expect(counted.runs).toBe(2);
  });

  it('drops every row at a commit of this process', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    await cache.fresh();
    cache.first('k', ['a'], read('a'));
    cache.changed();
    cache.first('k', ['a'], read('a'));
    expect(counted.runs).toBe(2);
  });

  it('keeps an absent row as absent, until something changes', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    const other = connect();
    await cache.fresh();
    expect(cache.first('k', ['b'], read('b'))).toBeUndefined();
    expect(cache.first('k', ['b'], read('b'))).toBeUndefined();
    expect(counted.runs).toBe(1);
    other.prepare("insert into k values ('b', 'Active')").run();
    await cache.fresh();
    expect(cache.first('k', ['b'], read('b'))).toEqual({ status: 'Active' });
  });

  it('never confuses two parameter lists', async () => {
    cache = createRowCache(file)!;
    await cache.fresh();
    const rows: [readonly (string | number | null)[], string][] = [
      [['a\u0000sb', 'c'], 'one'],
      [['a', 'b\u0000sc'], 'two'],
      [['a\u0000s1:b'], 'three'],
      [['1'], 'four'],
      [[1], 'five'],
      [[null], 'six'],
      [['null'], 'seven'],
      [[], 'eight'],
    ];
    for (const [params, value] of rows) cache.first('q', params, () => ({ value }));
    for (const [params, value] of rows) {
      expect(cache.first('q', params, () => ({ value: 'read again' }))).toEqual({ value });
    }
    // The same parameters under another query's name are another row.
    expect(cache.first('r', ['1'], () => ({ value: 'r' }))).toEqual({ value: 'r' });
  });

  it('shares frozen rows, and keeps at most its bound', async () => {
    cache = createRowCache(file, 3)!;
    await cache.fresh();
    const row = cache.first('q', ['x'], () => ({ value: 1 })) as Record<string, unknown>;
    expect(Object.isFrozen(row)).toBe(true);
    for (const id of ['a', 'b', 'c']) cache.first('q', [id], () => ({ value: id }));
    // 'x' went first.
    expect(cache.first('q', ['x'], () => ({ value: 'again' }))).toEqual({ value: 'again' });
  });

  it('does not keep a row asked for with parameters longer than any valid request has', async () => {
    cache = createRowCache(file)!;
    await cache.fresh();
    let runs = 0;
    const huge = 'x'.repeat(100_000);
    for (let i = 0; i < 3; i++) cache.first('k', [huge], () => (runs++, undefined));
    expect(runs).toBe(3);
    const name = 'n'.repeat(1000);
    for (let i = 0; i < 3; i++) cache.first('k', [name], () => (runs++, undefined));
    expect(runs).toBe(4);
  });

  it('answers nothing from memory once closed, and is absent without the log index', async () => {
    cache = createRowCache(file)!;
    await cache.fresh();
    cache.first('q', ['x'], () => ({ value: 1 }));
    cache.close();
    expect(cache.first('q', ['x'], () => ({ value: 2 }))).toEqual({ value: 2 });
    expect(createRowCache(join(dir, 'missing.db'))).toBeUndefined();
  });

  it('lets every request of one turn wait for a single check', async () => {
    cache = createRowCache(file)!;
    const { counted, read } = reader();
    const other = connect();
    // Three requests arrive in one turn; a commit lands before the check.
    const waits = [cache.fresh(), cache.fresh(), cache.fresh()];
    other.prepare("update k set status = 'Inactive' where id = 'a'").run();
    await Promise.all(waits);
    for (let i = 0; i < 3; i++) expect(cache.first('k', ['a'], read('a'))).toEqual({ status: 'Inactive' });
    expect(counted.runs).toBe(1);
  });
});
