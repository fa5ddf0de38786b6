/**
 * A real Rampart server in the test's own process, with a clock the test moves: expiry,
 * lockout windows and the idle-credentials job are tested by moving time, over real HTTP.
 * (Child-process servers, test/helpers/server.ts, run on the real clock: there is no flag or
 * variable that sets a server's clock.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordHashOptions, resolveConfig } from '../../src/config.js';
import {
  createFirstAccount,
  openDeployment,
  startServer,
  type Deployment,
  type RunningServer,
} from '../../src/server.js';
import type { Quotas } from '../../src/domain/index.js';
import { createTestDatabase, pgAvailable, pgSkipReason } from './pg.js';

/** A clock a test moves forward (or sets) while the server runs. */
export interface TestClock {
  (): Date;
  /** Moves the clock by ms milliseconds. */
  advance(ms: number): void;
  set(at: Date): void;
}

export function testClock(start = new Date()): TestClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (at) => {
    now = at.getTime();
  };
  return clock;
}

export interface InProcessServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** 127.0.0.1:<port>, the endpoint form of the official SDK clients. */
  readonly host: string;
  readonly accountId: string;
  readonly rootLoginName: string;
  readonly rootPassword: string;
  readonly rootAccessKeyId: string;
  readonly rootAccessKeySecret: string;
  readonly clock: TestClock;
  readonly deployment: Deployment;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  readonly store?: 'sqlite' | 'postgres';
  readonly accountAlias?: string;
  readonly clock?: TestClock;
  /** Logged lines (background jobs, unexpected failures); default: dropped. */
  readonly log?: (line: string) => void;
  /** Deployment quota overrides (as RAMPART_QUOTAS sets them). */
  readonly quotas?: Partial<Quotas>;
  /**
   * New password hashes at the product's default cost instead of the suite's cheaper
   * RAMPART_SCRYPT_COST: for tests that compare the time of refusals, where a cheap hash would
   * let the few database reads around it decide.
   */
  readonly defaultPasswordCost?: boolean;
}

export async function startInProcessServer(opts: InProcessOptions = {}): Promise<InProcessServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-inproc-'));
  let db: { url: string; drop: () => Promise<void> } | undefined;
  const clock = opts.clock ?? testClock();
  let deployment: Deployment | undefined;
  try {
    if (opts.store === 'postgres') {
      if (!pgAvailable) throw new Error(pgSkipReason);
      db = await createTestDatabase();
    }
    deployment = await openDeployment({
      dataDir,
      databaseUrl: db?.url,
      createKey: true,
      clock,
      ...(opts.quotas ? { quotas: opts.quotas } : {}),
      ...(opts.defaultPasswordCost ? {} : passwordHashOptions()),
    });
    const init = await createFirstAccount(deployment, {
      accountAlias: opts.accountAlias,
      rootAccessKey: true,
    });
    const config = resolveConfig(
      { data: dataDir, port: 0, host: '127.0.0.1' },
      { RAMPART_LOG_LEVEL: 'silent' },
    );
    const server = await startServer({ config, deployment, log: opts.log ?? (() => undefined) });
    return {
      endpoint: server.url,
      host: `127.0.0.1:${server.port}`,
      accountId: init.AccountId,
      rootLoginName: init.RootLoginName,
      rootPassword: init.RootPassword,
      rootAccessKeyId: init.AccessKeyId!,
      rootAccessKeySecret: init.AccessKeySecret!,
      clock,
      deployment,
      server,
      async stop() {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
        if (db) await db.drop();
      },
    };
  } catch (err) {
    await deployment?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (db) await db.drop();
    throw err;
  }
}
