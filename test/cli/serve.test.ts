import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/server.js';
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
