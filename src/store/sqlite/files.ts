import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';

/**
 * The database holds sealed secrets and password hashes: its directory is created with mode
 * 0700 and the file with 0600, before SQLite opens it. SQLite gives its -wal and -shm files
 * the mode of the database file. Existing files are narrowed to 0600 too.
 */
export function createPrivateFiles(file: string): void {
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
 * Puts a database in WAL mode. The switch takes the file's exclusive lock, and SQLite reports
 * SQLITE_BUSY at once (no busy handler) when another connection opens the same new file at
 * that moment: another store, thread or process starting with it. The switch is then retried
 * until `timeoutMs` has passed; a file already in WAL mode needs no switch.
 */
export function useWal(raw: SqliteDatabase.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      raw.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}
