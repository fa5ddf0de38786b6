/**
 * RAMPART_SCRYPT_COST: the cost of new password hashes, as log2 of scrypt's N (default 15).
 * `rampart init` and `rampart serve` hash the first root password with it; a cost below the
 * default makes `rampart serve` warn at start; a value out of bounds is refused before
 * anything is written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, passwordHashOptions } from '../../src/config.js';
import { rampart, rampartJson, serve, tempDir } from '../helpers/cli.js';

/** The stored root password hash of the only account in a SQLite data directory. */
function rootHash(dataDir: string): string {
  const db = new Database(join(dataDir, 'rampart.db'), { readonly: true });
  try {
    const rows = db.prepare('select root_password_hash as h from accounts').all() as { h: string }[];
    expect(rows).toHaveLength(1);
    return rows[0]!.h;
  } finally {
    db.close();
  }
}

describe('RAMPART_SCRYPT_COST', () => {
  const scratch = tempDir('rampart-scrypt-');
  afterAll(() => scratch.remove());

  it('is read as a whole number from 10 to 18; unset or empty keeps the default', () => {
    expect(passwordHashOptions({})).toEqual({});
    expect(passwordHashOptions({ RAMPART_SCRYPT_COST: '' })).toEqual({});
    expect(passwordHashOptions({ RAMPART_SCRYPT_COST: '10' })).toEqual({ scrypt: { logN: 10, r: 8, p: 1 } });
    expect(passwordHashOptions({ RAMPART_SCRYPT_COST: '18' })).toEqual({ scrypt: { logN: 18, r: 8, p: 1 } });
    for (const bad of ['9', '19', '0', '-12', '12.0', '1e1', ' 12', '12 ', '0x0c', 'fifteen']) {
      expect(() => passwordHashOptions({ RAMPART_SCRYPT_COST: bad }), bad).toThrow(ConfigError);
    }
  });

  it('sets the cost of the root password hash rampart init makes; the default is 2^15', async () => {
    const cheap = join(scratch.dir, 'cheap');
    await rampartJson(['init', '--data', cheap], { RAMPART_SCRYPT_COST: '11' });
    expect(rootHash(cheap)).toMatch(/^scrypt\$11\$8\$1\$/);

    const standard = join(scratch.dir, 'standard');
    await rampartJson(['init', '--data', standard], { RAMPART_SCRYPT_COST: '' });
    expect(rootHash(standard)).toMatch(/^scrypt\$15\$8\$1\$/);
  });

  it('out of bounds: init and serve refuse it with exit code 2 and write nothing', async () => {
    const dir = join(scratch.dir, 'refused');
    const init = await rampart(['init', '--data', dir], { RAMPART_SCRYPT_COST: '20' });
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('RAMPART_SCRYPT_COST must be a whole number from 10 to 18');
    const served = await rampart(['serve', '--data', dir, '--port', '0'], { RAMPART_SCRYPT_COST: 'abc' });
    expect(served.code).toBe(2);
    expect(served.stderr).toContain('RAMPART_SCRYPT_COST must be a whole number from 10 to 18');
    expect(existsSync(dir)).toBe(false);
  });

  it('below the default, rampart serve warns at start and hashes the first root password with it', async () => {
    const dir = join(scratch.dir, 'served');
    const s = await serve(['--data', dir], { RAMPART_SCRYPT_COST: '11' });
    try {
      for (let i = 0; i < 50 && !s.output().includes('RAMPART_SCRYPT_COST'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(s.output()).toContain(
        'rampart serve: warning: new password hashes use scrypt N=2^11 (RAMPART_SCRYPT_COST), cheaper to guess than the default 2^15: for test deployments only',
      );
    } finally {
      await s.stop();
    }
    expect(rootHash(dir)).toMatch(/^scrypt\$11\$8\$1\$/);

    // At the default cost (or above it) there is no such warning.
    const quiet = await serve(['--data', join(scratch.dir, 'served-default')], { RAMPART_SCRYPT_COST: '15' });
    try {
      for (let i = 0; i < 50 && !quiet.output().includes('warning:'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(quiet.output()).toContain('warning:'); // the root's, printed in the same place
      expect(quiet.output()).not.toContain('RAMPART_SCRYPT_COST');
    } finally {
      await quiet.stop();
    }
  });
});
