/**
 * A real Rampart server for tests: `rampart init` into a temporary directory, then
 * `rampart serve --port 0` as a child process. Requires a build (`npm run build`; the
 * pretest script of `npm test` does it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as OpenApi from '@alicloud/openapi-client';
import PopClient from '@alicloud/pop-core';
import RamClientModule from '@alicloud/ram20150501';
import { createTestDatabase, pgAvailable, pgSkipReason } from './pg.js';

export { pgAvailable, pgSkipReason };

export const BIN = new URL('../../bin/rampart.js', import.meta.url).pathname;

const run = promisify(execFile);

export interface StartServerOptions {
  readonly store?: 'sqlite' | 'postgres';
  /** Extra environment of the server process (RAMPART_QUOTAS, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra init flags (e.g. --account-alias). */
  readonly initArgs?: readonly string[];
}

export interface TestServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** 127.0.0.1:<port>, the endpoint form of the official SDK clients. */
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
  readonly accountAlias: string;
  readonly rootLoginName: string;
  readonly rootPassword: string;
  readonly rootAccessKeyId: string;
  readonly rootAccessKeySecret: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for the exit, drop the throwaway database, remove the data directory. */
  stop(): Promise<void>;
}

interface InitJson {
  AccountId: string;
  AccountAlias: string;
  RootLoginName: string;
  RootPassword: string;
  AccessKeyId: string;
  AccessKeySecret: string;
}

export async function startServer(opts: StartServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-test-'));
  let db: { url: string; drop: () => Promise<void> } | undefined;
  const cleanup = async (): Promise<void> => {
    rmSync(dataDir, { recursive: true, force: true });
    if (db) await db.drop();
  };
  try {
    if (opts.store === 'postgres') {
      if (!pgAvailable) throw new Error(pgSkipReason);
      db = await createTestDatabase();
    }
    const env = { ...process.env, ...opts.env };
    delete env.RAMPART_MASTER_KEY;
    delete env.RAMPART_DATABASE_URL;
    const dbArgs = db ? ['--database-url', db.url] : [];
    const init = await run(
      process.execPath,
      [BIN, 'init', '--data', dataDir, '--json', '--root-access-key', ...dbArgs, ...(opts.initArgs ?? [])],
      { env, encoding: 'utf8' },
    );
    const created = JSON.parse(init.stdout) as InitJson;

    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', ...dbArgs],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        out += chunk.toString('utf8');
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${out}`));
      });
    });
    child.removeAllListeners('exit');

    let stopped: Promise<void> | undefined;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      host: `127.0.0.1:${port}`,
      port,
      accountId: created.AccountId,
      accountAlias: created.AccountAlias,
      rootLoginName: created.RootLoginName,
      rootPassword: created.RootPassword,
      rootAccessKeyId: created.AccessKeyId,
      rootAccessKeySecret: created.AccessKeySecret,
      dataDir,
      databaseUrl: db?.url,
      process: child,
      output: () => out,
      stop() {
        stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          await cleanup();
        })();
        return stopped;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export interface KeyPair {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Temporary credentials carry their security token. */
  readonly securityToken?: string;
}

type RamClientClass = typeof RamClientModule.default;
// The package is CommonJS with `exports.default`: the class sits on `.default` under Node's ESM
// loader; a loader that unwraps default exports hands the class itself.
const RamClient: RamClientClass =
  (RamClientModule as unknown as { default?: RamClientClass }).default ??
  (RamClientModule as unknown as RamClientClass);

export type RamClient = InstanceType<RamClientClass>;

/** A @alicloud/ram20150501 client (signature V3) talking to the test server; root keys by default. */
export function ramClient(server: TestServer | Pick<TestServer, 'host'>, keys?: KeyPair): RamClient {
  const k = keys ?? rootKeys(server as TestServer);
  const config = new OpenApi.Config({
    accessKeyId: k.accessKeyId,
    accessKeySecret: k.accessKeySecret,
    ...(k.securityToken ? { securityToken: k.securityToken } : {}),
    endpoint: server.host,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  return new RamClient(config as unknown as ConstructorParameters<RamClientClass>[0]);
}

/** A @alicloud/pop-core RPC client (signature V2) for RAM, talking to the test server. */
export function popClient(
  server: Pick<TestServer, 'endpoint'>,
  keys: KeyPair,
  apiVersion = '2015-05-01',
): PopClient {
  return new PopClient({
    endpoint: server.endpoint,
    apiVersion,
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
  });
}

/** The root keys of a test server as a KeyPair. */
export const rootKeys = (s: TestServer): KeyPair => ({
  accessKeyId: s.rootAccessKeyId,
  accessKeySecret: s.rootAccessKeySecret,
});
