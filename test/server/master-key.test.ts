import * as Ram from '@alicloud/ram20150501';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { rampartJson, serve, serveRefused, tempDir, type Served } from '../helpers/cli.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { ramClient } from '../helpers/server.js';

/**
 * The master key at start: a node refuses, with a one-line reason, a key that cannot open its
 * store (wrong key, no key, a key from before a rotation) and never makes a new key for a
 * store that holds data. The key can live apart from the data (--master-key-file).
 */

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('rampart-mk-');
  cleanups.push(t.remove);
  return t.dir;
}

async function started(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const s = await serve(args, env);
  cleanups.push(() => s.stop());
  return s;
}

interface Init {
  AccountId: string;
  AccessKeyId: string;
  AccessKeySecret: string;
}

/** A deployment on the store kind: its data directory, its store flags, its root key. */
async function deployment(store: 'sqlite' | 'postgres', initArgs: string[] = []) {
  const root = scratch();
  const dataDir = join(root, 'data');
  let dbArgs: string[] = [];
  let databaseUrl: string | undefined;
  if (store === 'postgres') {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    databaseUrl = db.url;
    dbArgs = ['--database-url', db.url];
  }
  const init = await rampartJson<Init>([
    'init',
    '--data',
    dataDir,
    '--root-access-key',
    ...dbArgs,
    ...initArgs,
  ]);
  return { root, dataDir, dbArgs, databaseUrl, init };
}

const otherKey = (): string => randomBytes(32).toString('hex');
const ONE_LINE = /^rampart serve: [^\n]+\n$/;

describe.each(STORES)('the master key at start (%s)', (store) => {
  it('refuses a wrong key with a one-line reason, from RAMPART_MASTER_KEY or a key file', async () => {
    const { root, dataDir, dbArgs } = await deployment(store);
    const byEnv = await serveRefused(['--data', dataDir, ...dbArgs], { RAMPART_MASTER_KEY: otherKey() });
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr).toMatch(ONE_LINE);
    expect(byEnv.stderr).toMatch(
      /^rampart serve: the master key mk[0-9a-f]{12} \(from RAMPART_MASTER_KEY\) cannot open this store: its values are sealed under master key mk[0-9a-f]{12}\n$/,
    );
    expect(byEnv.stdout).not.toContain('listening');

    const wrongFile = join(root, 'wrong.key');
    writeFileSync(wrongFile, `${otherKey()}\n`, { mode: 0o600 });
    const byFile = await serveRefused(['--data', dataDir, ...dbArgs, '--master-key-file', wrongFile]);
    expect(byFile.code).toBe(2);
    expect(byFile.stderr).toContain(`(from ${wrongFile}) cannot open this store`);
  });

  it('refuses to start without a key on a store that holds data, and makes none', async () => {
    const { root, dataDir, dbArgs } = await deployment(store);
    // SQLite: the key file is gone. PostgreSQL: a second node with an empty data directory.
    const dir = store === 'sqlite' ? dataDir : join(root, 'node2');
    if (store === 'sqlite') rmSync(join(dataDir, 'master.key'));
    const r = await serveRefused(['--data', dir, ...dbArgs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toMatch(
      /^rampart serve: no master key for this store, which holds a deployment sealed under master key mk[0-9a-f]{12}: .*master\.key does not exist; .*a new key is never made for a store that holds data\n$/,
    );
    expect(existsSync(join(dir, 'master.key'))).toBe(false);
  });

  it('inits and serves with the key in a file apart from the data (--master-key-file, RAMPART_MASTER_KEY_FILE)', async () => {
    const root = scratch();
    const keyFile = join(root, 'secrets', 'rampart.key');
    const { dataDir, dbArgs, init } = await deployment(store, ['--master-key-file', keyFile]);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'secrets')).mode & 0o777).toBe(0o700);

    const keys = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
    const byFlag = await started(['--data', dataDir, ...dbArgs, '--master-key-file', keyFile]);
    const r = await ramClient(byFlag, keys).getAccountAlias();
    expect(r.statusCode).toBe(200);
    await byFlag.stop();

    const byEnv = await started(['--data', dataDir, ...dbArgs], { RAMPART_MASTER_KEY_FILE: keyFile });
    const u = await ramClient(byEnv, keys).createUser(new Ram.CreateUserRequest({ userName: 'apart' }));
    expect(u.body!.user!.userName).toBe('apart');

    // Without the key file, DIR/master.key does not exist: refused, none made.
    const without = await serveRefused(['--data', dataDir, ...dbArgs]);
    expect(without.code).toBe(2);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
  });

  it('creates the data directory 0700 and the key and database files 0600', async () => {
    const root = scratch();
    const dataDir = join(root, 'a', 'data');
    const dbArgs: string[] = [];
    if (store === 'postgres') {
      const db = await createTestDatabase();
      cleanups.push(() => db.drop());
      dbArgs.push('--database-url', db.url);
    }
    const s = await started(['--data', dataDir, ...dbArgs]);
    expect(s.output()).toContain('root password:');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toContain('master.key');
    if (store === 'sqlite') {
      // While it serves, SQLite's -wal and -shm files exist beside the database.
      expect(files).toEqual(expect.arrayContaining(['rampart.db', 'rampart.db-wal', 'rampart.db-shm']));
    }
    // Files 0600; folders (the object store's `oss`) 0700.
    for (const f of files) {
      const st = statSync(join(dataDir, f));
      expect([f, st.mode & 0o777]).toEqual([f, st.isDirectory() ? 0o700 : 0o600]);
    }
    expect(files.filter((f) => statSync(join(dataDir, f)).isDirectory())).toEqual(['oss']);
  });

  it('checks a store from before the key record against the key ids of its sealed values', async () => {
    const { dataDir, dbArgs, databaseUrl, init } = await deployment(store);
    const s = await openStore({ dataDir, databaseUrl });
    await s.db.deleteFrom('deployment_keys').execute();
    await s.close();

    const wrong = await serveRefused(['--data', dataDir, ...dbArgs], { RAMPART_MASTER_KEY: otherKey() });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /^rampart serve: the master key mk[0-9a-f]{12} \(from RAMPART_MASTER_KEY\) cannot open this store: it holds values sealed under master key mk[0-9a-f]{12}\n$/,
    );

    const right = await started(['--data', dataDir, ...dbArgs]);
    const r = await ramClient(right, {
      accessKeyId: init.AccessKeyId,
      accessKeySecret: init.AccessKeySecret,
    }).getAccountAlias();
    expect(r.statusCode).toBe(200);
    const after = await openStore({ dataDir, databaseUrl });
    const rows = await after.db.selectFrom('deployment_keys').selectAll().execute();
    await after.close();
    expect(rows.map((r2) => r2.state)).toEqual(['current']);
  });
});

describe('the master key of a new PostgreSQL database', () => {
  it.skipIf(!pgAvailable)(
    'is made once: a second node on the same database needs the first one’s key',
    async () => {
      const db = await createTestDatabase();
      cleanups.push(() => db.drop());
      const root = scratch();
      const first = await started(['--data', join(root, 'n1'), '--database-url', db.url]);
      expect(first.output()).toContain('root password:');
      const second = await serveRefused(['--data', join(root, 'n2'), '--database-url', db.url]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('no master key for this store');
      mkdirSync(join(root, 'n3'));
      const third = await started([
        '--data',
        join(root, 'n3'),
        '--database-url',
        db.url,
        '--master-key-file',
        join(root, 'n1', 'master.key'),
      ]);
      expect(third.output()).not.toContain('root password:');
    },
  );
});
