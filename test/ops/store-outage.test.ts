/**
 * The database going away and coming back, with real nodes on PostgreSQL:
 * - through a TCP proxy the test stops and starts: while it is down a node answers
 *   ServiceUnavailable (503) and /readyz 503, and it serves again by itself once it is back;
 * - a node killed (SIGKILL) in the middle of a write load: every write another node or it
 *   acknowledged is in the store with its audit event, and the other nodes keep serving;
 * - every connection ended by the database mid-load (pg_terminate_backend, what a restart does
 *   to them): the nodes reconnect by themselves;
 * - PostgreSQL itself restarted (pg_ctlcluster) mid-load: only when run alone, after the rest of
 *   the suite (tools/pg-restart-test.mjs sets RAMPART_TEST_PG_RESTART=run), since the restart
 *   interrupts every other test using the same server
 *   because it interrupts every other test using the server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/nodes.js';
import { pgAvailable, pgSkipReason, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';

if (!pgAvailable) console.warn(pgSkipReason);
const restartOptIn = process.env.RAMPART_TEST_PG_RESTART === 'run';

/** A TCP proxy to PostgreSQL that the test can stop (every connection cut) and start again. */
class Proxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

async function eventually<T>(what: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('did not happen in time');
}

describe.skipIf(!pgAvailable)('the database out of reach', () => {
  let a: TestServer;
  let proxy: Proxy;
  let node: TestNode;
  let root: KeyPair;
  beforeAll(async () => {
    a = await startServer({ store: 'postgres' });
    const u = new URL(a.databaseUrl!);
    proxy = new Proxy(u.hostname, Number(u.port || 5432));
    await proxy.start();
    u.host = `127.0.0.1:${proxy.port}`;
    node = await startNode(a, { databaseUrl: u.toString(), env: { RAMPART_DB_CONNECT_TIMEOUT_MS: '1000' } });
    root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await proxy?.stop();
    await a?.stop();
  });

  it('answers ServiceUnavailable while it is gone and recovers by itself when it is back', async () => {
    expect((await v3Call(node, root, 'CreateUser', { UserName: 'before' })).status).toBe(200);
    await proxy.stop();
    for (const action of ['GetUser', 'CreateUser']) {
      const r = await v3Call(node, root, action, { UserName: 'during' });
      expect([r.status, r.json().Code], r.text).toEqual([503, 'ServiceUnavailable']);
      expect(r.json().RequestId).toBeTruthy();
    }
    expect((await fetch(`${node.endpoint}/readyz`)).status).toBe(503);
    expect((await fetch(`${node.endpoint}/healthz`)).status).toBe(200);
    await proxy.start();
    await eventually(async () =>
      (await fetch(`${node.endpoint}/readyz`)).status === 200 ? true : undefined,
    );
    const after = await eventually(async () => {
      const r = await v3Call(node, root, 'CreateUser', { UserName: 'after' });
      return r.status === 200 ? r : undefined;
    });
    expect(after.status).toBe(200);
    // Nothing of the refused write was done: 'during' does not exist.
    expect((await v3Call(node, root, 'GetUser', { UserName: 'during' })).json().Code).toBe(
      'EntityNotExist.User',
    );
    const m = await (await fetch(`${node.endpoint}/metrics`)).text();
    expect(m).toMatch(
      /rampart_requests_total\{service="ram",action="CreateUser",code="ServiceUnavailable"\} 1/,
    );
  });
});

describe.skipIf(!pgAvailable)('the database closed to new connections', () => {
  let a: TestServer;
  beforeAll(async () => {
    a = await startServer({ store: 'postgres' });
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
  });

  /** Runs `sql` on the test server's maintenance database (not the node's own). */
  async function onServer(sql: string): Promise<void> {
    const admin = new pg.Client({ connectionString: process.env.RAMPART_TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  }

  it('answers ServiceUnavailable, not InternalError, and serves again once it opens', async () => {
    const root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    const db = new URL(a.databaseUrl!).pathname.slice(1);
    const ident = `"${db.replace(/"/g, '""')}"`;
    try {
      // What an operator does to take a database out of service: no new connections (SQLSTATE
      // 55000 for every connection attempt), and the open ones ended.
      await onServer(`alter database ${ident} with allow_connections false`);
      await onServer(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${db.replace(/'/g, "''")}'`,
      );
      for (const action of ['GetUser', 'CreateUser']) {
        const r = await v3Call(a, root, action, { UserName: 'closed' });
        expect([r.status, r.json().Code], r.text).toEqual([503, 'ServiceUnavailable']);
      }
      expect((await fetch(`${a.endpoint}/readyz`)).status).toBe(503);
    } finally {
      await onServer(`alter database ${ident} with allow_connections true`);
    }
    await eventually(async () => {
      const r = await v3Call(a, root, 'CreateUser', { UserName: 'open-again' });
      return r.status === 200 ? true : undefined;
    });
    expect((await v3Call(a, root, 'GetUser', { UserName: 'closed' })).json().Code).toBe(
      'EntityNotExist.User',
    );
  });
});

/** Sends CreateUser calls round-robin to the nodes; records which ones were acknowledged. */
async function writeLoad(
  nodes: () => readonly Pick<TestServer, 'host' | 'endpoint'>[],
  root: KeyPair,
  prefix: string,
  count: number,
  concurrency: number,
): Promise<{ acknowledged: string[]; failed: number }> {
  const acknowledged: string[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const list = nodes();
      const target = list[i % list.length]!;
      const name = `${prefix}-${i}`;
      try {
        const r = await v3Call(target, root, 'CreateUser', { UserName: name });
        if (r.status === 200) acknowledged.push(name);
        else failed++;
      } catch {
        failed++; // the connection died with its node: not acknowledged
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { acknowledged, failed };
}

async function storedUsers(
  url: string,
  prefix: string,
): Promise<{ users: Set<string>; events: Set<string> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const users = await c.query<{ user_name: string }>(
      'select user_name from users where user_name like $1',
      [`${prefix}-%`],
    );
    const events = await c.query<{ resource_name: string }>(
      `select resource_name from audit_events where event_name = 'CreateUser' and error_code is null and resource_name like $1`,
      [`%${prefix}-%`],
    );
    return {
      users: new Set(users.rows.map((r) => r.user_name)),
      events: new Set(events.rows.map((r) => r.resource_name.replace(/^.*\//, ''))),
    };
  } finally {
    await c.end();
  }
}

describe.skipIf(!pgAvailable)('a node killed mid-load', () => {
  let a: TestServer;
  let b: TestNode;
  let c: TestNode;
  beforeAll(async () => {
    a = await startServer({
      store: 'postgres',
      env: { RAMPART_QUOTAS: JSON.stringify({ usersPerAccount: 5000 }) },
    });
    [b, c] = await Promise.all([startNode(a), startNode(a)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([b?.stop(), c?.stop()]);
    await a?.stop();
  });

  it('loses no acknowledged write nor its audit event, and the other nodes keep serving', async () => {
    const root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    let alive: Pick<TestServer, 'host' | 'endpoint'>[] = [a, b, c];
    const load = writeLoad(() => alive, root, 'kill', 200, 6);
    await new Promise((r) => setTimeout(r, 300));
    await c.kill();
    const after = c;
    alive = alive.filter((n) => n !== after);
    const { acknowledged } = await load;
    expect(acknowledged.length).toBeGreaterThan(120);
    const stored = await storedUsers(a.databaseUrl!, 'kill');
    for (const name of acknowledged) {
      expect(stored.users.has(name), `${name} acknowledged but not stored`).toBe(true);
      expect(stored.events.has(name), `${name} has no audit event`).toBe(true);
    }
    // Every stored user has its event (a write and its event commit together).
    for (const name of stored.users) expect(stored.events.has(name)).toBe(true);
    for (const n of [a, b])
      expect((await v3Call(n, root, 'GetUser', { UserName: acknowledged[0]! })).status).toBe(200);
  });

  it('recovers when the database ends every connection mid-load, as a restart does', async () => {
    const root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    const load = writeLoad(() => [a, b], root, 'terminated', 120, 4);
    await new Promise((r) => setTimeout(r, 200));
    const admin = new pg.Client({ connectionString: a.databaseUrl });
    await admin.connect();
    try {
      // Every other session on this test's own database: the nodes' pooled connections.
      const ended = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      expect(ended.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const { acknowledged, failed } = await load;
    expect(acknowledged.length + failed).toBe(120);
    const stored = await storedUsers(a.databaseUrl!, 'terminated');
    for (const name of acknowledged) expect(stored.users.has(name) && stored.events.has(name)).toBe(true);
    for (const n of [a, b]) {
      await eventually(async () =>
        (await v3Call(n, root, 'CreateUser', { UserName: `after-${n.port}` })).status === 200
          ? true
          : undefined,
      );
    }
  });

  it.skipIf(!restartOptIn)('recovers from a PostgreSQL restart without a node restart', async () => {
    const root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    const load = writeLoad(() => [a, b], root, 'restart', 200, 4);
    await new Promise((r) => setTimeout(r, 200));
    // The local cluster the suite's database runs in (one per machine here).
    const version = readdirSync('/etc/postgresql')[0]!;
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
    const { acknowledged } = await load;
    const stored = await storedUsers(a.databaseUrl!, 'restart');
    for (const name of acknowledged) expect(stored.users.has(name) && stored.events.has(name)).toBe(true);
    for (const n of [a, b]) {
      await eventually(async () =>
        (await v3Call(n, root, 'GetUser', { UserName: 'nobody' })).status === 404 ? true : undefined,
      );
    }
  });
});
