import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/server.js';
import { rampart, serveRefused } from '../helpers/cli.js';
import { consoleUrl } from '../../src/cli/serve.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rampart-serve-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return join(d, 'data');
}

interface Served {
  child: ChildProcess;
  out: () => string;
  url: string;
}

function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.RAMPART_MASTER_KEY;
  delete e.RAMPART_ROOT_PASSWORD;
  delete e.RAMPART_DATABASE_URL;
  Object.assign(e, env);
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: e,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out: () => out, url: m[1]! });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', () => reject(new Error(`exited early:\n${out}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | string | null; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code: code ?? signal, ms: Date.now() - start })),
  );
}

afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('the printed console URL', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://localhost:8080/console/'],
    ['http://[::1]:9000', 'http://localhost:9000/console/'],
    ['https://127.0.0.1:8443', 'https://127.0.0.1:8443/console/'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080/console/'],
    ['http://0.0.0.0:8080', 'http://0.0.0.0:8080/console/'],
  ])('%s -> %s', (server, printed) => {
    expect(consoleUrl(server)).toBe(printed);
  });
});

describe('rampart serve', () => {
  it('initializes an empty directory once, prints the console URL and root login, and listens', async () => {
    const dir = tempDir();
    const first = await serve(['--data', dir, '--port', '0']);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toMatch(/:0$/);
    const text = first.out();
    // The console under localhost: security keys (WebAuthn) refuse an IP address.
    expect(text).toContain(`console:       ${first.url.replace('127.0.0.1', 'localhost')}/console/`);
    expect(text).toMatch(/root login: +\S+/);
    expect(text).toMatch(/root password: +\S{20,}/);
    // Warned at start (on stderr, which may arrive after the listening line on stdout): the
    // new root has no MFA device (and no AccessKey).
    for (let i = 0; i < 50 && !first.out().includes('warning:'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(first.out()).toMatch(/rampart serve: warning: the root of account \d{16} has no MFA device;/);
    expect(first.out()).not.toContain('AccessKey(s)');
    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    expect((await exited).code).toBe(0);

    const second = await serve(['--data', dir, '--port', '0']);
    expect(second.out()).not.toContain('root login');
    expect(second.out()).not.toContain('console:');
    second.child.kill('SIGTERM');
    await exitOf(second.child);
  });

  it('takes the first root password from RAMPART_ROOT_PASSWORD and does not print it', async () => {
    const dir = tempDir();
    const s = await serve(['--data', dir, '--port', '0'], { RAMPART_ROOT_PASSWORD: 'Env-Root-Passw0rd' });
    expect(s.out()).not.toContain('Env-Root-Passw0rd');
    expect(s.out()).toContain('root password: from RAMPART_ROOT_PASSWORD');
    s.child.kill('SIGTERM');
    await exitOf(s.child);
  });

  it('answers /healthz and /readyz, and stops on SIGTERM within 5 s even with a client connected', async () => {
    const dir = tempDir();
    await run(process.execPath, [BIN, 'init', '--data', dir, '--json'], { env: { ...process.env } });
    const s = await serve([], { RAMPART_DATA: dir, RAMPART_PORT: '0', RAMPART_HOST: '127.0.0.1' });
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    // A keep-alive connection stays open while the signal arrives.
    await fetch(`${s.url}/healthz`, { keepalive: true });
    const exited = exitOf(s.child);
    s.child.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('stops on SIGTERM within its bound when nobody reads its stdout', async () => {
    const dir = tempDir();
    await run(process.execPath, [BIN, 'init', '--data', dir, '--json'], { env: { ...process.env } });
    const s = await serve(['--data', dir, '--port', '0']);
    // The reader stops: the pipe fills, and the request log's lines wait in the server.
    s.child.stdout!.pause();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          `${s.url}/?Action=GetUser&UserName=${'x'.repeat(200)}`,
          { method: 'POST', agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < 300; i++) await Promise.all(Array.from({ length: 8 }, one));
    agent.destroy();
    const exited = exitOf(s.child);
    s.child.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(ms).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(s.out()).toContain('stdout is not being read; the rest of the request log is dropped');
  });

  it('exits non-zero without a data directory', async () => {
    const e: NodeJS.ProcessEnv = { ...process.env };
    delete e.RAMPART_DATA;
    const err = (await run(process.execPath, [BIN, 'serve', '--port', '0'], { env: e }).catch(
      (x: unknown) => x,
    )) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('data directory is required');
  });
});

describe('rampart serve on a first start that cannot serve', () => {
  it('creates no account when it cannot listen, so the next start prints the root login', async () => {
    const dir = tempDir();
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const r = await rampart(
      ['serve', '--data', dir, '--host', '127.0.0.1', '--port', String(port)],
      {},
      15_000,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rampart serve: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(r.stdout).toBe('');
    const next = await serve(['--data', dir, '--port', '0']);
    expect(next.out()).toMatch(/root password: +\S{20,} {2}\(shown once/);
    next.child.kill('SIGTERM');
    await exitOf(next.child);
  });

  it('prints the root login it created when the server then fails to start', async () => {
    const dir = tempDir();
    const files = mkdtempSync(join(tmpdir(), 'rampart-serve-tls-'));
    cleanups.push(() => rmSync(files, { recursive: true, force: true }));
    writeFileSync(join(files, 'cert.pem'), 'not a certificate\n');
    writeFileSync(join(files, 'key.pem'), 'not a key\n');
    const r = await rampart(
      [
        'serve',
        '--data',
        dir,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--tls-cert',
        join(files, 'cert.pem'),
        '--tls-key',
        join(files, 'key.pem'),
      ],
      {},
      15_000,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^rampart serve: /m);
    expect(r.stdout).toContain('console:       not served: the server did not start');
    const password = /root password: +(\S{20,}) {2}\(shown once/.exec(r.stdout)?.[1];
    expect(password).toBeDefined();
    // The password printed is the root's.
    const next = await serve(['--data', dir, '--port', '0']);
    expect(next.out()).not.toContain('root password');
    const login = /root login: +(\S+)/.exec(r.stdout)![1]!;
    const logon = await fetch(`${next.url}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
      body: JSON.stringify({ LoginName: login, Password: password }),
    });
    expect(logon.status, await logon.clone().text()).toBe(200);
    next.child.kill('SIGTERM');
    await exitOf(next.child);
  });
});

describe('rampart serve and the modes of its files', () => {
  it('refuses a data directory others may write to, and a master key others may read', async () => {
    const dir = tempDir();
    const first = await serve(['--data', dir, '--port', '0']);
    first.child.kill('SIGTERM');
    await exitOf(first.child);
    // What serve created passes: the directory 0700, the key 0600.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);

    chmodSync(dir, 0o777);
    const open = await serveRefused(['--data', dir]);
    expect([open.code, open.stderr]).toEqual([
      2,
      `rampart serve: ${dir} is writable by other users (mode 0777): whoever can write there can replace the database or the master key; make it private: chmod 700 ${dir}\n`,
    ]);
    chmodSync(dir, 0o770);
    expect((await serveRefused(['--data', dir])).stderr).toContain('is writable by its group (mode 0770)');
    chmodSync(dir, 0o700);

    const key = join(dir, 'master.key');
    chmodSync(key, 0o644);
    const readable = await serveRefused(['--data', dir]);
    expect([readable.code, readable.stderr]).toEqual([
      2,
      `rampart serve: ${key} is open to other users (mode 0644): the master key opens every secret of the deployment; make it private: chmod 600 ${key}\n`,
    ]);
    // Operator commands refuse it the same way.
    const admin = await rampart(['admin', 'unlock-root', '--data', dir]);
    expect([admin.code, admin.stderr]).toEqual([
      2,
      `rampart admin unlock-root: ${key} is open to other users (mode 0644): the master key opens every secret of the deployment; make it private: chmod 600 ${key}\n`,
    ]);
    chmodSync(key, 0o600);
    const fixed = await serve(['--data', dir, '--port', '0']);
    fixed.child.kill('SIGTERM');
    await exitOf(fixed.child);
  });
});
