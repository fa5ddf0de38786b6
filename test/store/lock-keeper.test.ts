import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepSharedLock, type LockKeeper } from '../../src/store/sqlite/lock-keeper.js';

/**
 * The shared-lock keeper of a server's SQLite file (src/store/sqlite/lock-keeper.ts): it must
 * change nothing that statements read, and must not stop the write-ahead log from being
 * checkpointed and restarted.
 */
describe('SQLite shared-lock keeper', () => {
  let dir: string;
  let file: string;
  let keeper: LockKeeper | undefined;
  const open: SqliteDatabase.Database[] = [];

  function connect(): SqliteDatabase.Database {
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    open.push(db);
    return db;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-keeper-'));
    file = join(dir, 'store.db');
    connect().exec('create table t (id integer primary key, b blob)');
  });
  afterEach(() => {
    keeper?.close();
    keeper = undefined;
    for (const db of open.splice(0)) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets every statement of another connection read the latest commit', async () => {
    const writer = connect();
    const reader = connect();
    keeper = keepSharedLock(file, 1);
    const insert = writer.prepare('insert into t (id) values (?)');
    const count = reader.prepare('select count(*) as n from t').pluck();
    const deadline = Date.now() + 300;
    let i = 0;
    // Renewals (every millisecond here) fall between and during the writes.
    while (Date.now() < deadline || i < 50) {
      insert.run(++i);
      expect(count.get()).toBe(i);
      writer.prepare('delete from t where id = ?').run(i);
      expect(count.get()).toBe(i - 1);
      insert.run(i);
      if (i % 3 === 0) await turn();
    }
  });

  it.each([
    ['on its timer alone', false],
    ['renewed after every commit, as a server does', true],
  ])('keeps the write-ahead log bounded under a steady stream of commits (%s)', async (_, onCommit) => {
    const writer = connect();
    writer.pragma('wal_autocheckpoint = 100');
    const kept = (keeper = keepSharedLock(file));
    const insert = writer.prepare('insert into t (b) values (?)');
    const row = Buffer.alloc(8000, 7);
    const deadline = Date.now() + 1500;
    let written = 0;
    let largest = 0;
    while (Date.now() < deadline) {
      writer.transaction(() => {
        for (let j = 0; j < 4; j++) insert.run(row);
      })();
      if (onCommit) kept.renew();
      written += 4 * row.length;
      largest = Math.max(largest, statSync(`${file}-wal`).size);
      await turn();
    }
    // Held for good, the first reader would pin the log and every byte written would stay in
    // it; the keeper lets go one turn in ten, so the log starts over again and again.
    expect(written).toBeGreaterThan(4 * 1024 * 1024);
    expect(largest).toBeLessThan(written / 2);
  });

  it('does nothing once closed', () => {
    const kept = keepSharedLock(file);
    kept.close();
    expect(() => kept.renew()).not.toThrow();
  });

  it('releases the file when closed', () => {
    const writer = connect();
    keeper = keepSharedLock(file);
    writer.prepare('insert into t (id) values (1)').run();
    keeper.close();
    keeper = undefined;
    for (const db of open.splice(0)) db.close();
    // The last connection to close checkpoints and removes the log, which needs the file to
    // itself: nothing of the keeper is left holding it.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = new SqliteDatabase(file, { readonly: true });
    expect(again.prepare('select count(*) from t').pluck().get()).toBe(1);
    again.close();
  });
});
