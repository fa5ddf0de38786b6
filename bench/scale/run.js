// Scale-out benchmark: signed GetUser and CreateUser (V3, pre-signed, unique nonces) against
// 1, 2 and 3 `rampart serve` nodes on one PostgreSQL database, and 1 node on SQLite; wrk
// drives every node at once (one wrk per node, the connections split between them). Then the
// database round trips of one request of each kind, counted by a proxy that reads the
// PostgreSQL wire protocol between a node and the database (each Sync or simple Query message
// the node sends is one round trip).
//   npm run bench -- scale                       (needs wrk and RAMPART_BENCH_DATABASE_URL or
//   node bench/scale/run.js --seconds 4           RAMPART_TEST_DATABASE_URL, a PostgreSQL
//                                                 server where it may create databases)
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import pg from 'pg';
import { signed } from '../http/signed.js';
import { BIN, call, cpuMs, haveWrk, stop, toMs } from '../http/wrk.js';

const REPLAY = fileURLToPath(new URL('../http/replay.lua', import.meta.url));
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 5);
const CONNECTIONS = arg('connections', 48);
const PG_URL = process.env.RAMPART_BENCH_DATABASE_URL || process.env.RAMPART_TEST_DATABASE_URL;
const QUOTAS = JSON.stringify({ usersPerAccount: 1_000_000 });
// The request log costs a line per request; the figures are of the request path.
const NODE_ENV = { RAMPART_QUOTAS: QUOTAS, RAMPART_LOG_LEVEL: 'warn' };

function startNode(dataDir, databaseUrl) {
  const args = [BIN, 'serve', '--data', dataDir, '--port', '0'];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const env = { ...process.env, ...NODE_ENV };
  delete env.RAMPART_DATABASE_URL;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on http:\/\/([\d.]+):(\d+)/.exec(out);
      if (m) resolve({ child, host: `${m[1]}:${m[2]}`, port: Number(m[2]) });
    });
    child.once('exit', (code) => reject(new Error(`rampart exited ${code}: ${out}`)));
  });
}

async function createDatabase() {
  const name = `rampart_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Pre-signed requests for one node: `n` lines, the i-th with params(i). */
function presign(file, n, node, key, action, params) {
  const now = new Date();
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(16).toString('hex');
    const { path, headers } = signed(node.host, key, action, params(i), { nonce, now });
    let raw = `POST ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) raw += `${k}: ${v}\r\n`;
    lines[i] = JSON.stringify(`${raw}content-length: 0\r\n\r\n`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function runWrk(node, file, connections, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${connections}`,
        `-d${seconds}s`,
        '--latency',
        '-s',
        REPLAY,
        `http://${node.host}/`,
        '--',
        file,
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', () =>
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
        p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
        n: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
      }),
    );
  });
}

/** Every node under load at once; totals, the worst p50/p99, server CPU per request. */
async function measure(dir, nodes, key, action, params, seconds, rate) {
  const per = Math.max(1, Math.floor(CONNECTIONS / nodes.length));
  const run = randomBytes(3).toString('hex');
  const files = nodes.map((node, i) => {
    const file = join(dir, `req-${i}-${run}.txt`);
    presign(file, Math.ceil((seconds * rate) / nodes.length), node, key, action, (j) =>
      params(`${run}-${i}`, j),
    );
    return file;
  });
  const cpuBefore = nodes.map((n) => cpuMs(n.child.pid));
  const results = await Promise.all(nodes.map((n, i) => runWrk(n, files[i], per, seconds)));
  const cpu = nodes.reduce((sum, n, i) => sum + cpuMs(n.child.pid) - cpuBefore[i], 0);
  for (const f of files) rmSync(f, { force: true });
  const n = results.reduce((s, r) => s + r.n, 0);
  return {
    rps: results.reduce((s, r) => s + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((s, r) => s + r.errors, 0),
    n,
    cpuUsPerRequest: n > 0 ? (cpu * 1000) / n : NaN,
  };
}

/** A TCP proxy in front of PostgreSQL counting the round trips nodes start (Sync and Query messages). */
async function countingProxy(target) {
  let roundTrips = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    let buffered = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 4) break;
          const len = buffered.readInt32BE(0);
          if (buffered.length < len) break;
          buffered = buffered.subarray(len);
          started = true; // the startup message (an SSL request is refused by a plain proxy target: not used here)
          continue;
        }
        if (buffered.length < 5) break;
        const type = String.fromCharCode(buffered[0]);
        const len = buffered.readInt32BE(1);
        if (buffered.length < len + 1) break;
        if (type === 'S' || type === 'Q') roundTrips++;
        buffered = buffered.subarray(len + 1);
      }
    });
    upstream.on('data', (c) => client.write(c));
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    take: () => {
      const n = roundTrips;
      roundTrips = 0;
      return n;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

async function deployment(dir, name, databaseUrl) {
  const dataDir = join(dir, name);
  const init = JSON.parse(
    execFileSync(
      process.execPath,
      [
        BIN,
        'init',
        '--data',
        dataDir,
        '--json',
        '--root-access-key',
        ...(databaseUrl ? ['--database-url', databaseUrl] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ),
  );
  const rootKey = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
  return { dataDir, rootKey };
}

/** A RAM user allowed to read and to create users: the caller of both measured actions. */
async function benchUser(node, rootKey) {
  await call(node, rootKey, 'CreateUser', { UserName: 'bench-caller' });
  for (const policy of ['AliyunRAMReadOnlyAccess', 'AliyunRAMFullAccess']) {
    await call(node, rootKey, 'AttachPolicyToUser', {
      UserName: 'bench-caller',
      PolicyName: policy,
      PolicyType: 'System',
    });
  }
  const created = await call(node, rootKey, 'CreateAccessKey', { UserName: 'bench-caller' });
  return { accessKeyId: created.AccessKey.AccessKeyId, accessKeySecret: created.AccessKey.AccessKeySecret };
}

async function main() {
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  if (!haveWrk()) {
    console.log('wrk is not installed (Debian: apt-get install wrk): cannot measure.');
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-scale-'));
  const configs = [{ store: 'sqlite', nodes: 1 }];
  if (PG_URL) for (const n of [1, 2, 3]) configs.push({ store: 'postgres', nodes: n });
  else console.log('no RAMPART_BENCH_DATABASE_URL / RAMPART_TEST_DATABASE_URL: PostgreSQL rows skipped');
  console.log(
    `\nSigned (V3) GetUser and CreateUser by a RAM user; wrk, ${CONNECTIONS} connections split over the nodes; ${SECONDS} s per row; request log at warn`,
  );
  console.log('  store      nodes  action        req/s   p50 ms   p99 ms  node CPU us/req  non-2xx');
  const rows = [];
  try {
    for (const c of configs) {
      const db = c.store === 'postgres' ? await createDatabase() : undefined;
      const nodes = [];
      try {
        const d = await deployment(dir, `${c.store}-${c.nodes}`, db?.url);
        for (let i = 0; i < c.nodes; i++) nodes.push(await startNode(d.dataDir, db?.url));
        const key = await benchUser(nodes[0], d.rootKey);
        for (const [action, params, rate] of [
          ['GetUser', () => ({ UserName: 'bench-caller' }), 20_000],
          ['CreateUser', (i, j) => ({ UserName: `u${i}-${j}` }), 6_000],
        ]) {
          await measure(dir, nodes, key, action, params, 1, rate); // warm-up
          const r = await measure(dir, nodes, key, action, params, SECONDS, rate);
          rows.push({ ...c, action, ...r });
          console.log(
            `  ${c.store.padEnd(10)} ${String(c.nodes).padStart(5)}  ${action.padEnd(11)} ${f1(r.rps).padStart(8)} ${f2(r.p50).padStart(8)} ${f2(r.p99).padStart(8)} ${f1(r.cpuUsPerRequest).padStart(16)} ${String(r.errors).padStart(8)}`,
          );
        }
        if (db && c.nodes === 1) {
          // Round trips per request: one more node, through the counting proxy, one request at a time.
          const proxy = await countingProxy(new URL(db.url));
          const u = new URL(db.url);
          u.host = `127.0.0.1:${proxy.port}`;
          const counted = await startNode(d.dataDir, u.toString());
          try {
            const per = {};
            for (const [action, params] of [
              ['GetUser', () => ({ UserName: 'bench-caller' })],
              ['CreateUser', (i) => ({ UserName: `rt-${i}` })],
            ]) {
              for (let i = 0; i < 5; i++) await call(counted, key, action, params(`w${i}`)); // warm: prepared statements, caches
              proxy.take();
              const n = 50;
              for (let i = 0; i < n; i++) await call(counted, key, action, params(i));
              per[action] = proxy.take() / n;
            }
            console.log(
              `  database round trips per request (PostgreSQL, counted at the wire): GetUser ${f2(per.GetUser)}, CreateUser ${f2(per.CreateUser)}`,
            );
          } finally {
            await stop(counted.child);
            await proxy.close();
          }
        }
      } finally {
        for (const n of nodes) await stop(n.child);
        await db?.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
