/**
 * The `rampart` command as a child process, for tests of operator commands and of `serve`
 * with flags the shared test server does not use (TLS, trusted proxies, key files).
 * Requires a build (`npm run build`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from './server.js';

const run = promisify(execFile);

/** The RAMPART_* variables of the test run (vitest.config.ts) that children keep. */
const KEPT = new Set(['RAMPART_SCRYPT_COST', 'RAMPART_OIDC_PRIVATE_ISSUERS']);

/**
 * The environment of a child: the test's, without any RAMPART_* variable but the test run's
 * (KEPT: the password hash cost, OIDC issuers on 127.0.0.1), plus `env`.
 */
export function childEnv(env: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('RAMPART_') && !KEPT.has(k)) delete e[k];
  return Object.assign(e, env);
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rampart ...args` to its end. */
export async function rampart(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 30_000,
): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      env: childEnv(env),
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs `rampart ... --json` and parses its output; fails the test on a non-zero exit. */
export async function rampartJson<T = Record<string, unknown>>(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const r = await rampart([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`rampart ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface Served {
  readonly child: ChildProcess;
  /** http(s)://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT */
  readonly host: string;
  readonly port: number;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts `rampart serve ...args` and resolves when it prints its listening line. */
export function serve(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line in 20 s:\n${out}`));
    }, 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (listening) return;
      const m = /listening on (https?:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        // Once only: a later chunk (a request log line) must not remove the exit listener
        // that stop() adds.
        listening = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const port = Number(m[2]);
        resolve({
          child,
          url: m[1]!,
          host: `127.0.0.1:${port}`,
          port,
          output: () => out,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${out}`));
    });
  });
}

/**
 * Runs `rampart serve ...args` expecting it to refuse to start; resolves to its exit and
 * output. A server that starts instead is stopped after 8 s (its code is then not a number).
 */
export async function serveRefused(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  return rampart(['serve', '--host', '127.0.0.1', '--port', '0', ...args], env, 8_000);
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'rampart-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
