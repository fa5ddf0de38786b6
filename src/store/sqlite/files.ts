import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

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
