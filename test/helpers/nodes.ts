/**
 * More `rampart serve` processes on the store of a test server (same data directory, so the
 * same master key; same --database-url): the nodes of a scaled-out deployment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, type TestServer } from './server.js';

export interface TestNode {
  readonly host: string;
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for the exit (at most 10 s, then SIGKILL). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export interface StartNodeOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Another database URL than the server's (a proxy in front of it). */
  readonly databaseUrl?: string;
  readonly port?: number;
}

export async function startNode(
  of: Pick<TestServer, 'dataDir' | 'databaseUrl'>,
  opts: StartNodeOptions = {},
): Promise<TestNode> {
  const args = [BIN, 'serve', '--data', of.dataDir, '--host', '127.0.0.1', '--port', String(opts.port ?? 0)];
  const url = opts.databaseUrl ?? of.databaseUrl;
  if (url) args.push('--database-url', url);
  const env = { ...process.env, ...opts.env };
  delete env.RAMPART_MASTER_KEY;
  if (!opts.env?.RAMPART_DATABASE_URL) delete env.RAMPART_DATABASE_URL;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in 20 s:\n${out}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return {
    host: `127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}`,
    port,
    process: child,
    output: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
