import type SqliteDatabase from 'better-sqlite3';
import type { HotParam, SyncDb } from '../store.js';

/** Synchronous statements on one connection, each SQL text prepared once. */
export function syncDbOf(raw: SqliteDatabase.Database): SyncDb {
  const prepared = new Map<string, SqliteDatabase.Statement>();
  function statement(text: string): SqliteDatabase.Statement {
    let st = prepared.get(text);
    if (!st) prepared.set(text, (st = raw.prepare(text)));
    return st;
  }
  return {
    get: <Row>(text: string, params: readonly (HotParam | Uint8Array)[]) =>
      statement(text).get(...params) as Row | undefined,
    all: <Row>(text: string, params: readonly HotParam[]) => statement(text).all(...params) as Row[],
    run: (text, params) => void statement(text).run(...params),
    insert: (text, params) => Number(statement(text).run(...params).lastInsertRowid),
  };
}

const boundaries = new WeakMap<
  SqliteDatabase.Database,
  { begin: SqliteDatabase.Statement; commit: SqliteDatabase.Statement }
>();

/** Runs fn between BEGIN IMMEDIATE and COMMIT on the connection; rolled back when it throws. */
export function inWriteTransaction<T>(raw: SqliteDatabase.Database, fn: () => T): T {
  let b = boundaries.get(raw);
  if (!b) boundaries.set(raw, (b = { begin: raw.prepare('begin immediate'), commit: raw.prepare('commit') }));
  b.begin.run();
  try {
    const out = fn();
    b.commit.run();
    return out;
  } catch (err) {
    if (raw.inTransaction) raw.exec('rollback');
    throw err;
  }
}
