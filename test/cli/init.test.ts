import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, pgAvailable } from '../helpers/server.js';
import { createTestDatabase } from '../helpers/pg.js';

const run = promisify(execFile);
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rampart-init-'));
  dirs.push(d);
  return join(d, 'data');
}

async function init(args: string[], env: Record<string, string> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.RAMPART_MASTER_KEY;
  delete e.RAMPART_ROOT_PASSWORD;
  Object.assign(e, env);
  try {
    const r = await run(process.execPath, [BIN, 'init', ...args], { env: e, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e2 = err as { code: number; stdout: string; stderr: string };
    return { code: e2.code, stdout: e2.stdout, stderr: e2.stderr };
  }
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('rampart init', () => {
  it('creates a data directory and prints one JSON object with the root login', async () => {
    const dir = tempDir();
    const r = await init([
      '--data',
      dir,
      '--json',
      '--account-alias',
      'acme-corp',
      '--root-password',
      'Correct-Horse-9',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual(['AccountAlias', 'AccountId', 'RootLoginName', 'RootPassword']);
    expect(out.AccountId).toMatch(/^\d{16}$/);
    expect(out.AccountAlias).toBe('acme-corp');
    expect(out.RootPassword).toBe('Correct-Horse-9');
    expect(out.RootLoginName).toContain('acme-corp');
    expect(r.stderr).toBe('');
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('generates a strong root password and, on request, a root AccessKey with a warning', async () => {
    const dir = tempDir();
    const r = await init(['--data', dir, '--json', '--root-access-key']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual([
      'AccessKeyId',
      'AccessKeySecret',
      'AccountAlias',
      'AccountId',
      'RootLoginName',
      'RootPassword',
    ]);
    expect(out.RootPassword!.length).toBeGreaterThanOrEqual(20);
    for (const cls of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(out.RootPassword).toMatch(cls);
    expect(out.AccessKeyId!.length).toBeGreaterThan(10);
    expect(out.AccessKeySecret!.length).toBeGreaterThan(20);
    expect(r.stderr).toMatch(/^warning: .*root/);
  });

  it('refuses a directory that is already initialized, and leaves it as it was', async () => {
    const dir = tempDir();
    expect((await init(['--data', dir, '--json'])).code).toBe(0);
    const before = readdirSync(dir).sort();
    const r = await init(['--data', dir, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('already initialized');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('uses RAMPART_MASTER_KEY instead of a key file when set', async () => {
    const dir = tempDir();
    const r = await init(['--data', dir, '--json'], { RAMPART_MASTER_KEY: 'ab'.repeat(32) });
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).not.toContain('master.key');
  });

  it('needs a data directory', async () => {
    const r = await init(['--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data directory is required');
  });

  it.skipIf(!pgAvailable)('refuses a PostgreSQL database that already holds a deployment', async () => {
    const db = await createTestDatabase();
    try {
      expect((await init(['--data', tempDir(), '--json', '--database-url', db.url])).code).toBe(0);
      const dir = tempDir();
      const r = await init(['--data', dir, '--json', '--database-url', db.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('already initialized');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('refuses a weak root password or a bad alias before creating anything, so a second try succeeds', async () => {
    const dir = tempDir();
    const weak = await init(['--data', dir, '--json', '--root-password', 'x']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^rampart init: InvalidParameter\.Password\.TooWeak: /);
    expect(existsSync(dir)).toBe(false);
    const alias = await init(['--data', dir, '--json', '--account-alias', '-Bad-']);
    expect(alias.code).toBe(1);
    expect(alias.stderr).toContain('InvalidParameter.AccountAlias');
    expect(existsSync(dir)).toBe(false);
    const ok = await init(['--data', dir, '--json', '--root-password', 'Strong#Pass-2026']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('removes what it created when it fails midway', async () => {
    // A master key file that is not a key: the store is made, then the key is refused.
    const parent = tempDir();
    mkdirSync(parent, { mode: 0o700 });
    const key = join(parent, 'key');
    writeFileSync(key, 'not a key\n', { mode: 0o600 });
    const dir = join(parent, 'data');
    const r = await init(['--data', dir, '--json', '--master-key-file', key]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not valid');
    expect(readdirSync(parent)).toEqual(['key']);
  });

  it('refuses a database URL that is not PostgreSQL instead of making a SQLite deployment', async () => {
    const dir = tempDir();
    const r = await init(['--data', dir, '--json', '--database-url', 'mysql://db.example/rampart']);
    expect([r.code, r.stderr]).toEqual([
      2,
      'rampart init: the database URL must be a postgres:// or postgresql:// URL\n',
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a data directory other users may write to, and says how to fix it', async () => {
    const dir = tempDir();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const r = await init(['--data', dir, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `rampart init: ${dir} is writable by other users (mode 0777): whoever can write there can replace the database or the master key; make it private: chmod 700 ${dir}\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o700);
    expect((await init(['--data', dir, '--json'])).code).toBe(0);
  });
});
