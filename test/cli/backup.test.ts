/**
 * `rampart backup` under write load restores to a store whose counts and audit chain verify;
 * `rampart migrate-store` copies a SQLite deployment to PostgreSQL, where a node serves it
 * with the same master key (sealed secrets included). Both copies carry the live nonces: a
 * request signed before the copy is refused as a replay by a node on the copy.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, rampart, rampartJson, serve } from '../helpers/cli.js';
import { startNode } from '../helpers/nodes.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { BIN, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';

if (!pgAvailable) console.warn(pgSkipReason);

interface Check {
  counts: Record<string, number>;
  audit: { ok: boolean; events: number; accounts: number; problems: string[] };
}

describe('rampart backup and restore', () => {
  let s: TestServer;
  let root: KeyPair;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'rampart-backup-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    s = await startServer();
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
  });
  afterAll(async () => {
    await s?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes a consistent backup while users are created, and restores it to a store that verifies', async () => {
    let acknowledged = 0;
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 200; i++) {
        const r = await v3Call(s, root, 'CreateUser', { UserName: `load-${w}-${i}` });
        expect(r.status, r.text).toBe(200);
        acknowledged++;
      }
    };
    const writers = [0, 1, 2].map(writer);
    while (acknowledged < 20) await new Promise((r) => setTimeout(r, 10));
    const before = acknowledged;
    const out = join(tempDir(), 'rampart.backup');
    const backup = await rampartJson<{ integrity: string; counts: Record<string, number> }>([
      'backup',
      '--data',
      s.dataDir,
      '--out',
      out,
    ]);
    stop = true;
    await Promise.all(writers);
    expect(backup.integrity).toBe('ok');
    // As private as the store itself: it holds password hashes and sealed secrets.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(backup.counts.users).toBeGreaterThanOrEqual(before);
    expect(backup.counts.audit_events).toBeGreaterThanOrEqual(before);
    // The backup is a file of its own: a second one to the same path is refused.
    const again = await rampart(['backup', '--data', s.dataDir, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const target = tempDir();
    copyFileSync(join(s.dataDir, 'master.key'), join(target, 'master.key'));
    const restored = await rampartJson<Check>(['restore', '--from', out, '--data', target]);
    expect(restored.audit.ok).toBe(true);
    expect(restored.audit.events).toBe(backup.counts.audit_events);
    expect(restored.counts).toEqual(backup.counts);
    // A directory that holds a database is replaced only with --force.
    const refused = await rampart(['restore', '--from', out, '--data', target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    // A write committed to the database's write-ahead log by a process killed before any
    // checkpoint: the database set aside keeps it.
    const killed = spawnSync(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.pragma('wal_autocheckpoint = 0');
         db.exec("create table marker (x text); insert into marker values ('committed')");
         process.kill(process.pid, 'SIGKILL');`,
        join(target, 'rampart.db'),
      ],
      { cwd: process.cwd() },
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(statSync(join(target, 'rampart.db-wal')).size).toBeGreaterThan(0);
    const forced = await rampartJson<Check & { replaced: string }>([
      'restore',
      '--from',
      out,
      '--data',
      target,
      '--force',
    ]);
    expect(forced.audit.ok).toBe(true);
    expect(existsSync(forced.replaced)).toBe(true);
    const kept = new SqliteDatabase(forced.replaced, { readonly: true });
    expect(kept.prepare('select x from marker').pluck().all()).toEqual(['committed']);
    kept.close();
    // Into a directory that does not exist yet, with the key kept apart.
    const fresh = join(tempDir(), 'new', 'data');
    const into = await rampartJson<Check>([
      'restore',
      '--from',
      out,
      '--data',
      fresh,
      '--master-key-file',
      join(s.dataDir, 'master.key'),
    ]);
    expect(into.audit.ok).toBe(true);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    // Without the master key the restored store cannot be opened or checked.
    const keyless = tempDir();
    const noKey = await rampart(['restore', '--from', out, '--data', keyless]);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('master key');
  });

  it('no one else can open the backup while it is written: nothing readable by others appears beside it', async () => {
    // A store big enough that the copy takes a while, and a umask that makes files readable by
    // all (the common 022): every name seen in the backup's directory meanwhile, and the
    // backup itself once there, must be the owner's alone.
    const data = join(tempDir(), 'data');
    expect((await rampart(['init', '--data', data, '--json'])).code).toBe(0);
    const db = new SqliteDatabase(join(data, 'rampart.db'));
    db.exec('create table ballast (x blob)');
    const insert = db.prepare('insert into ballast values (randomblob(65536))');
    db.transaction(() => {
      for (let i = 0; i < 320; i++) insert.run();
    })();
    db.close();
    const dir = tempDir();
    const out = join(dir, 'rampart.backup');
    const backup = spawn(
      '/bin/sh',
      ['-c', 'umask 022; exec "$@"', 'sh', process.execPath, BIN, 'backup', '--data', data, '--out', out],
      { env: childEnv(), stdio: 'ignore' },
    );
    const ended = new Promise<number | null>((done) => backup.once('exit', (code) => done(code)));
    // Watch the directory without yielding (the copy goes on in the child) until the backup is
    // in place, mode 0600.
    const seen = new Map<string, number>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      for (const name of readdirSync(dir)) {
        const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
        if (st) seen.set(`${name}:${(st.mode & 0o777).toString(8)}`, st.mode & 0o777);
      }
      const there = lstatSync(out, { throwIfNoEntry: false });
      if (there && (there.mode & 0o777) === 0o600) break;
    }
    expect(await ended).toBe(0);
    expect([...seen].filter(([, mode]) => (mode & 0o077) !== 0).map(([entry]) => entry)).toEqual([]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // The working directory beside it is gone.
    expect(readdirSync(dir)).toEqual(['rampart.backup']);
  });
});

describe('rampart restore leaves nothing broken behind', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'rampart-restore-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses --force while a server has the database open, and restores once it is stopped', async () => {
    const data = join(tempDir(), 'data');
    expect((await rampart(['init', '--data', data, '--json'])).code).toBe(0);
    const out = join(tempDir(), 'b.db');
    expect((await rampart(['backup', '--data', data, '--out', out])).code).toBe(0);
    const server = await serve(['--data', data]);
    try {
      const r = await rampart(['restore', '--from', out, '--data', data, '--force']);
      expect([r.code, r.stderr]).toEqual([
        2,
        `rampart restore: ${join(data, 'rampart.db')} is in use by a server or another rampart command on ${data}: stop it, then restore\n`,
      ]);
      expect(readdirSync(data).filter((f) => f.includes('replaced'))).toEqual([]);
    } finally {
      await server.stop();
    }
    const done = await rampart(['restore', '--from', out, '--data', data, '--force']);
    expect(done.code, done.stderr).toBe(0);
  });

  it('a restore that cannot open the backup undoes what it did, so a second try succeeds', async () => {
    const source = join(tempDir(), 'data');
    expect((await rampart(['init', '--data', source, '--json'])).code).toBe(0);
    const out = join(tempDir(), 'b.db');
    expect((await rampart(['backup', '--data', source, '--out', out])).code).toBe(0);
    // Into a new directory, without the master key: nothing is left.
    const parent = tempDir();
    const fresh = join(parent, 'data');
    const keyless = await rampart(['restore', '--from', out, '--data', fresh]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('no master key for this store');
    expect(keyless.stderr).toContain('(nothing was restored)');
    expect(readdirSync(parent)).toEqual([]);
    const key = ['--master-key-file', join(source, 'master.key')];
    const again = await rampart(['restore', '--from', out, '--data', fresh, ...key]);
    expect(again.code, again.stderr).toBe(0);
    // Over a database, with a key that does not open the backup: the database is put back.
    const other = join(tempDir(), 'other');
    expect((await rampart(['init', '--data', other, '--json'])).code).toBe(0);
    const before = readdirSync(other).sort();
    const wrong = await rampart(['restore', '--from', out, '--data', other, '--force']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`(nothing was restored; ${join(other, 'rampart.db')} is back in place)`);
    expect(readdirSync(other).sort()).toEqual(before);
    expect((await rampart(['admin', 'unlock-root', '--data', other])).code).toBe(0);
  });
});

describe('a copy of the store keeps its replay protection', () => {
  let s: TestServer | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await s?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a request signed before the backup is refused as a replay by a node on the restored store', async () => {
    s = await startServer();
    const root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const signedAt = { now: new Date(), nonce: randomBytes(16).toString('hex') };
    const first = await v3Call(s, root, 'ListUsers', {}, signedAt);
    expect(first.status, first.text).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'rampart-backup-'));
    dirs.push(dir);
    const out = join(dir, 'rampart.backup');
    const backup = await rampartJson<{ counts: Record<string, number> }>([
      'backup',
      '--data',
      s.dataDir,
      '--out',
      out,
    ]);
    expect(backup.counts.nonces).toBeGreaterThanOrEqual(1);
    const target = join(dir, 'restored');
    mkdirSync(target);
    copyFileSync(join(s.dataDir, 'master.key'), join(target, 'master.key'));
    s.process.kill('SIGTERM');
    await new Promise((r) => s!.process.once('exit', r));
    expect((await rampartJson<Check>(['restore', '--from', out, '--data', target])).audit.ok).toBe(true);

    // Same port, so the same signed host: only the nonce can refuse the replay.
    const node = await startNode({ dataDir: target, databaseUrl: undefined }, { port: s.port });
    try {
      const replay = await v3Call(node, root, 'ListUsers', {}, signedAt);
      expect(replay.status, replay.text).toBe(400);
      expect(replay.json().Code).toBe('SignatureNonceUsed');
      const fresh = await v3Call(node, root, 'ListUsers', {}, { now: signedAt.now });
      expect(fresh.status, fresh.text).toBe(200);
    } finally {
      await node.stop();
    }
  });
});

describe.skipIf(!pgAvailable)('rampart migrate-store', () => {
  let s: TestServer;
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    s = await startServer();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await s?.stop();
    await db?.drop();
  });

  it('copies a store a server is still writing to from one snapshot: the copy verifies', async () => {
    const root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const live = await createTestDatabase();
    let writing = true;
    let acknowledged = 0;
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        const r = await v3Call(s, root, 'CreateUser', { UserName: `live-${w}-${i}` });
        expect(r.status, r.text).toBe(200);
        acknowledged++;
      }
    };
    const writers = [0, 1].map(writer);
    try {
      while (acknowledged < 20) await new Promise((r) => setTimeout(r, 10));
      const run = await rampart(['migrate-store', '--from', s.dataDir, '--to', live.url, '--json']);
      expect(run.code, run.stderr).toBe(0);
      // The server still has the store open: the copy goes on, and says what it leaves out.
      expect(run.stderr).toContain('warning: a server (or another rampart command) has');
      const copied = JSON.parse(run.stdout) as Check & { ok: boolean; differences: string[] };
      expect(copied.differences).toEqual([]);
      expect(copied.audit).toMatchObject({ ok: true, problems: [] });
      expect(copied.ok).toBe(true);
      expect(copied.counts.users).toBeGreaterThanOrEqual(20);
    } finally {
      writing = false;
      await Promise.all(writers);
      await live.drop();
    }
    // The users it made are not meant for the next test.
    for (let w = 0; w < 2; w++)
      for (let i = 0; ; i++) {
        const r = await v3Call(s, root, 'DeleteUser', { UserName: `live-${w}-${i}` });
        if (r.status !== 200) break;
      }
  });

  it('copies a SQLite deployment to PostgreSQL, verifies it, and a node serves it with the same keys', async () => {
    const root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    for (const name of ['alice', 'bob']) {
      expect((await v3Call(s, root, 'CreateUser', { UserName: name })).status).toBe(200);
    }
    const key = (await v3Call(s, root, 'CreateAccessKey', { UserName: 'alice' })).json()
      .AccessKey as unknown as {
      AccessKeyId: string;
      AccessKeySecret: string;
    };
    expect(
      (
        await v3Call(s, root, 'AttachPolicyToUser', {
          PolicyType: 'System',
          PolicyName: 'AliyunRAMReadOnlyAccess',
          UserName: 'alice',
        })
      ).status,
    ).toBe(200);
    const signedAt = { now: new Date(), nonce: randomBytes(16).toString('hex') };
    expect((await v3Call(s, root, 'ListUsers', {}, signedAt)).status).toBe(200);
    s.process.kill('SIGTERM');
    await new Promise((r) => s.process.once('exit', r));

    const copied = await rampartJson<Check & { ok: boolean; differences: string[] }>([
      'migrate-store',
      '--from',
      s.dataDir,
      '--to',
      db.url,
    ]);
    expect(copied.ok).toBe(true);
    expect(copied.differences).toEqual([]);
    expect(copied.audit.ok).toBe(true);
    expect(copied.audit.events).toBeGreaterThan(3);
    expect(copied.counts.users).toBe(2);
    // A second copy into the same database is refused: it is no longer empty.
    const twice = await rampart(['migrate-store', '--from', s.dataDir, '--to', db.url]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('not empty');

    // Same port, so the same signed host: the request signed before the copy is a replay.
    const node = await startNode({ dataDir: s.dataDir, databaseUrl: db.url }, { port: s.port });
    try {
      const replay = await v3Call(node, root, 'ListUsers', {}, signedAt);
      expect(replay.status, replay.text).toBe(400);
      expect(replay.json().Code).toBe('SignatureNonceUsed');
      const alice = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
      const r = await v3Call(node, alice, 'GetUser', { UserName: 'bob' });
      expect(r.status, r.text).toBe(200);
      expect((await v3Call(node, root, 'CreateUser', { UserName: 'carol' })).status).toBe(200);
      const events = await v3Call(node, root, 'LookupEvents', {}, { version: '2020-07-06' });
      expect(events.status, events.text).toBe(200);
    } finally {
      await node.stop();
    }
  });
});
