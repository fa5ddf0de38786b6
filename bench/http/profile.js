// Where one signed GetUser goes, measured in process: the database round trips it makes
// (statements run on SQLite, queries sent on PostgreSQL) and the time of each pipeline step.
// Round trips are counted twice: one request at a time, and 64 at a time (nonce claims of
// concurrent requests share one transaction). Steps are timed one request at a time.
import { createRequire } from 'node:module';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signed } from './signed.js';
import { STEPS } from '../../dist/api/pipeline.js';
import { resolveConfig } from '../../dist/config.js';
import { initialize, openDeployment, startServer } from '../../dist/server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const pg = require('pg');

const counts = { statements: 0 };

/** Counts every statement SQLite runs and every query sent to PostgreSQL. */
function countRoundTrips() {
  const db = new Database(':memory:');
  const proto = Object.getPrototypeOf(db.prepare('select 1'));
  db.close();
  for (const m of ['get', 'all', 'run', 'iterate']) {
    const original = proto[m];
    proto[m] = function counted(...args) {
      counts.statements++;
      return original.apply(this, args);
    };
  }
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(...args) {
    counts.statements++;
    return query.apply(this, args);
  };
}

/** Wraps each pipeline step to add its time to `spent`. */
function timeSteps(spent) {
  const steps = STEPS;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const name = step.name || `step${i}`;
    spent[name] = 0;
    steps[i] = async (state, env) => {
      const t0 = performance.now();
      try {
        return await step(state, env);
      } finally {
        spent[name] += performance.now() - t0;
      }
    };
  }
}

function getUser(host, port, agent, key, userName) {
  const { path, headers } = signed(host, key, 'GetUser', { UserName: userName });
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`GetUser: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function measure(label, opts) {
  // Opened as `rampart serve` opens it: on SQLite, the writer thread (nonce claims and the audit
  // trail's appends, on connections of its own: not counted) and the row cache (hot reads
  // answered from memory while the file is unchanged: not counted either).
  const deployment = await openDeployment({
    dataDir: opts.dataDir,
    databaseUrl: opts.databaseUrl,
    database: { sqliteWriterThread: true, sqliteRowCache: true },
  });
  const config = resolveConfig({ data: opts.dataDir, port: 0 }, { RAMPART_LOG_LEVEL: 'warn' });
  const server = await startServer({ config, deployment, log: () => undefined });
  const host = `127.0.0.1:${server.port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const one = () => getUser(host, server.port, agent, opts.userKey, opts.userName);
  try {
    for (let i = 0; i < 200; i++) await one(); // warm the caches
    const N = 1000;
    counts.statements = 0;
    for (let i = 0; i < N; i++) await one();
    const sequential = counts.statements / N;
    counts.statements = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = 0; i < N / 64; i++) await one();
      }),
    );
    const concurrent = counts.statements / (64 * Math.floor(N / 64));
    console.log(
      `  ${label.padEnd(12)} ${sequential.toFixed(2).padStart(12)} ${concurrent.toFixed(2).padStart(14)}`,
    );
    return one;
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/**
 * The same count on PostgreSQL, in a throwaway database on the server named by
 * RAMPART_BENCH_DATABASE_URL (or RAMPART_TEST_DATABASE_URL); skipped with a note without one.
 */
async function measurePostgres() {
  const base = process.env.RAMPART_BENCH_DATABASE_URL || process.env.RAMPART_TEST_DATABASE_URL;
  if (!base) {
    console.log('  PostgreSQL   (skipped: set RAMPART_BENCH_DATABASE_URL=postgres://... to count it)');
    return;
  }
  const name = `rampart_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-pg-'));
  try {
    const init = await initialize({ dataDir, databaseUrl: url.toString() });
    const d = await openDeployment({ dataDir, databaseUrl: url.toString() });
    await d.domain.users.create(init.AccountId, { userName: 'bench-reader' });
    await d.domain.attachments.attach(
      init.AccountId,
      { kind: 'user', userName: 'bench-reader' },
      'System',
      'AliyunRAMReadOnlyAccess',
    );
    const k = await d.domain.accessKeys.create(init.AccountId, 'bench-reader');
    await d.close();
    await measure('PostgreSQL', {
      dataDir,
      databaseUrl: url.toString(),
      userKey: { accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret },
      userName: 'bench-reader',
    });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function profileRequests({ dataDir, userKey, userName }) {
  countRoundTrips();
  console.log('\nDatabase round trips per signed GetUser (RAM user), in process');
  console.log('  store        one at a time   64 at a time');
  await measure('SQLite', { dataDir, userKey, userName });
  await measurePostgres();

  // Time per step, one request at a time, on SQLite.
  const spent = {};
  timeSteps(spent);
  const deployment = await openDeployment({ dataDir });
  const server = await startServer({
    config: resolveConfig({ data: dataDir, port: 0 }, { RAMPART_LOG_LEVEL: 'warn' }),
    deployment,
    log: () => undefined,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const host = `127.0.0.1:${server.port}`;
  try {
    for (let i = 0; i < 500; i++) await getUser(host, server.port, agent, userKey, userName);
    for (const k of Object.keys(spent)) spent[k] = 0;
    const N = 2000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await getUser(host, server.port, agent, userKey, userName);
    const total = ((performance.now() - t0) * 1000) / N;
    console.log('\nTime per pipeline step of one signed GetUser (SQLite, one request at a time, us)');
    for (const [name, ms] of Object.entries(spent)) {
      console.log(`  ${name.padEnd(22)} ${((ms * 1000) / N).toFixed(1).padStart(8)}`);
    }
    console.log(`  ${'whole request (client)'.padEnd(22)} ${total.toFixed(1).padStart(8)}`);
  } finally {
    agent.destroy();
    await server.stop();
  }
}
