// HTTP benchmark: a signed GetUser (V3) against a real `rampart serve` process, side by side
// with a bare node:http server answering a body of the same size, both driven by wrk in the
// same run. wrk (written in C, Debian package `wrk`) replays requests signed ahead of time,
// each with its own SignatureNonce, so the generator does no signing while it measures and
// drives the bare server far above what Rampart needs; its figure is printed beside ours.
// A second peer, bench/http/plain.js, does the least a signed GetUser must: the V3 check, a
// nonce seen once, one prepared read of the user, the answer.
// Then: database round trips and time per pipeline step of one request (in process), and
// CreateUser / ListUsers latency and resident memory with 100 and with 100,000 users.
//
//   node bench/http/run.js [--seconds 8] [--connections 64] [--users 100000]
//
// With --audit, only the audit trail's cost: the same signed GetUser load against a server
// recording the audit trail and one with RAMPART_AUDIT=off, interleaved in the same run, and
// the ratio of their throughputs (target >= 0.9).
//
//   node bench/http/run.js --audit [--seconds 8] [--connections 64]
//
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';
import { openDeployment } from '../../dist/server.js';
import { profileRequests } from './profile.js';
import { signed } from './signed.js';
import { cpuMs, haveWrk, mainThreadCpuMs, startRampart, stop, toMs } from './wrk.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'bin/rampart.js');
const REPLAY = fileURLToPath(new URL('./replay.lua', import.meta.url));
const PLAIN = fileURLToPath(new URL('./plain.js', import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 64);
const BIG = arg('users', 100_000);

// ---------------------------------------------------------------------------------------------
// Processes

const BARE_SOURCE = `
const http = require('node:http');
const body = process.argv[1];
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
`;

function startBare(body) {
  const child = spawn(process.execPath, ['-e', BARE_SOURCE, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.on('data', (c) => {
      const m = /:(\d+)/.exec(String(c));
      if (m) resolve({ child, host: `127.0.0.1:${m[1]}`, port: Number(m[1]) });
    });
  });
}

/** The plain peer (bench/http/plain.js): V3 check, one prepared read of the store's file, the answer. */
function startPlain(dataDir, key) {
  const child = spawn(
    process.execPath,
    [PLAIN, join(dataDir, 'rampart.db'), key.accessKeyId, key.accessKeySecret],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) => {
    child.stdout.on('data', (c) => {
      const m = /:(\d+)/.exec(String(c));
      if (m) resolve({ child, host: `127.0.0.1:${m[1]}`, port: Number(m[1]) });
    });
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return kb / 1024;
}

// ---------------------------------------------------------------------------------------------
// Requests

function send(agent, port, { path, headers }) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function call(port, host, key, action, params) {
  const agent = new Agent({ keepAlive: false });
  const r = await send(agent, port, signed(host, key, action, params));
  const body = JSON.parse(r.body);
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.body}`);
  return body;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

// ---------------------------------------------------------------------------------------------
// wrk

/**
 * Signs `n` GetUser requests for wrk to replay: raw HTTP/1.1 requests, one JSON string per
 * line, each with its own SignatureNonce (signed by Rampart's V3 signer; a wrong signature
 * would show as non-2xx answers).
 */
function presign(file, n, host, key, userName) {
  const now = new Date();
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(16).toString('hex');
    const { path, headers } = signed(host, key, 'GetUser', { UserName: userName }, { nonce, now });
    let raw = `POST ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) raw += `${k}: ${v}\r\n`;
    lines[i] = JSON.stringify(`${raw}content-length: 0\r\n\r\n`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** One wrk run against `server` replaying `file`; throughput, latency, errors, server CPU per request. */
function wrk(server, file, seconds, cycle) {
  const before = cpuMs(server.child.pid);
  const mainBefore = mainThreadCpuMs(server.child.pid);
  const out = execFileSync(
    'wrk',
    [
      '-t2',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      REPLAY,
      `http://${server.host}/`,
      '--',
      file,
      '2',
      ...(cycle ? ['cycle'] : []),
    ],
    { encoding: 'utf8' },
  );
  const cpu = cpuMs(server.child.pid) - before;
  const mainCpu = mainThreadCpuMs(server.child.pid) - mainBefore;
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    n: total,
    errors: non2xx,
    cpuUsPerRequest: total > 0 ? (cpu * 1000) / total : NaN,
    mainCpuUsPerRequest: total > 0 ? (mainCpu * 1000) / total : NaN,
  };
}

/** wrk against a fresh file of unique requests (deleted afterwards). */
function wrkFresh(server, dir, seconds, sign, { cycle = false } = {}) {
  const file = join(dir, `requests-${randomBytes(4).toString('hex')}.txt`);
  // Rampart: more unique requests than it can answer in the time (wrk stops a thread that
  // runs out, and the report says so). The bare server checks nothing: its requests cycle.
  const lines = cycle ? 20_000 : Math.ceil(seconds * 40_000);
  sign(file, lines);
  try {
    const r = wrk(server, file, seconds, cycle);
    if (!cycle && r.n >= lines - CONNECTIONS)
      console.log('  (the pre-signed requests ran out: the figure is a lower bound)');
    return r;
  } finally {
    rmSync(file, { force: true });
  }
}

async function timeEach(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  out.sort((a, b) => a - b);
  return { p50: pct(out, 50), p99: pct(out, 99), mean: out.reduce((a, b) => a + b, 0) / out.length };
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

// ---------------------------------------------------------------------------------------------
// --audit: recording on vs off

/** A fresh deployment with a RAM user allowed to read, served with `env`; its key. */
async function readerServer(dir, name, env, nodeArgs = []) {
  const dataDir = join(dir, name);
  const init = JSON.parse(
    execFileSync(process.execPath, [BIN, 'init', '--data', dataDir, '--json', '--root-access-key'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const rootKey = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
  const server = await startRampart(dataDir, env, nodeArgs);
  await call(server.port, server.host, rootKey, 'CreateUser', { UserName: 'bench-reader' });
  await call(server.port, server.host, rootKey, 'AttachPolicyToUser', {
    UserName: 'bench-reader',
    PolicyName: 'AliyunRAMReadOnlyAccess',
    PolicyType: 'System',
  });
  const created = await call(server.port, server.host, rootKey, 'CreateAccessKey', {
    UserName: 'bench-reader',
  });
  const key = {
    accessKeyId: created.AccessKey.AccessKeyId,
    accessKeySecret: created.AccessKey.AccessKeySecret,
  };
  return { server, key, dataDir };
}

async function auditRatio() {
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  if (!haveWrk()) {
    console.log('wrk is not installed (Debian: apt-get install wrk): cannot measure.');
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-audit-'));
  const servers = [];
  try {
    // RAMPART_BENCH_PROFILE=DIR: CPU profiles of both servers (DIR/on, DIR/off), written at their exit.
    const prof = process.env.RAMPART_BENCH_PROFILE;
    const on = await readerServer(
      dir,
      'on',
      { RAMPART_AUDIT: 'on' },
      prof ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, 'on')}`] : [],
    );
    servers.push(on.server);
    const off = await readerServer(
      dir,
      'off',
      { RAMPART_AUDIT: 'off' },
      prof ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, 'off')}`] : [],
    );
    servers.push(off.server);
    const file = (x) => (f, n) => presign(f, n, x.server.host, x.key, 'bench-reader');
    console.log(
      `\nGetUser (V3, pre-signed, unique nonces) by a RAM user; audit trail on vs off; wrk -t2 -c${CONNECTIONS}; best of 3 interleaved rounds of ${SECONDS / 2} s each`,
    );
    const served = { on: 0, off: 0 };
    const measure = (name, x, seconds) => {
      const r = wrkFresh(x.server, dir, seconds, file(x));
      served[name] += r.n;
      return r;
    };
    measure('on', on, 2); // warm-up
    measure('off', off, 2);
    const best = (a, b) => (a === undefined || b.rps > a.rps ? b : a);
    let rOn;
    let rOff;
    for (let round = 0; round < 3; round++) {
      rOff = best(rOff, measure('off', off, SECONDS / 2));
      rOn = best(rOn, measure('on', on, SECONDS / 2));
    }
    if (prof) console.log(`  requests served (for the profiles): on ${served.on}, off ${served.off}`);
    const row = (label, x) =>
      console.log(
        `  ${label.padEnd(30)} ${f1(x.rps).padStart(9)} ${f2(x.p50).padStart(8)} ${f2(x.p99).padStart(8)} ${f1(x.cpuUsPerRequest).padStart(10)} ${f1(x.mainCpuUsPerRequest).padStart(11)} ${String(x.errors).padStart(8)}`,
      );
    console.log(
      '  server                             req/s   p50 ms   p99 ms  CPU us/req  main thread   non-2xx',
    );
    row('rampart, audit trail off', rOff);
    row('rampart, audit trail on', rOn);
    console.log(
      `  ratio on / off: ${(rOn.rps / rOff.rps).toFixed(2)}x of the requests/s (target >= 0.90), ` +
        `${(rOff.cpuUsPerRequest / rOn.cpuUsPerRequest).toFixed(2)}x by server CPU per request`,
    );
    // Every request the server with the trail answered is an event in its store.
    for (const s of servers) await stop(s.child);
    servers.length = 0;
    const d = await openDeployment({ dataDir: on.dataDir, audit: false });
    const n = await d.store.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('event_name', '=', 'GetUser')
      .executeTakeFirst();
    await d.close();
    console.log(`  GetUser events recorded by the server with the trail: ${Number(n?.n ?? 0)}`);
  } finally {
    for (const s of servers) await stop(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (process.argv.includes('--audit')) return auditRatio();
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-http-'));
  const dataDir = join(dir, 'data');
  const env = { RAMPART_QUOTAS: JSON.stringify({ usersPerAccount: BIG + 10_000 }) };
  try {
    const init = JSON.parse(
      execFileSync(process.execPath, [BIN, 'init', '--data', dataDir, '--json', '--root-access-key'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const rootKey = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };

    // --- Throughput: signed GetUser by a RAM user holding AliyunRAMReadOnlyAccess ----------
    let server = await startRampart(dataDir, env);
    await call(server.port, server.host, rootKey, 'CreateUser', { UserName: 'bench-reader' });
    await call(server.port, server.host, rootKey, 'AttachPolicyToUser', {
      UserName: 'bench-reader',
      PolicyName: 'AliyunRAMReadOnlyAccess',
      PolicyType: 'System',
    });
    const created = await call(server.port, server.host, rootKey, 'CreateAccessKey', {
      UserName: 'bench-reader',
    });
    const userKey = {
      accessKeyId: created.AccessKey.AccessKeyId,
      accessKeySecret: created.AccessKey.AccessKeySecret,
    };
    const sample = await call(server.port, server.host, userKey, 'GetUser', { UserName: 'bench-reader' });
    const bare = await startBare(JSON.stringify(sample));
    const plain = await startPlain(dataDir, userKey);

    if (!haveWrk()) {
      console.log(
        '\nwrk is not installed (Debian: apt-get install wrk): skipping the throughput comparison.',
      );
      console.log(
        'A load generator written in Node on the same cores caps near 9,000 requests/s and would measure itself.',
      );
    } else {
      const userFile = (s) => (file, n) => presign(file, n, s.host, userKey, 'bench-reader');
      console.log(
        `\nGetUser (V3, pre-signed, unique nonces) by a RAM user with AliyunRAMReadOnlyAccess; wrk -t2 -c${CONNECTIONS}; best of 2 x ${SECONDS / 2} s each`,
      );
      wrkFresh(bare, dir, 2, userFile(bare), { cycle: true }); // warm-up
      wrkFresh(server, dir, 2, userFile(server));
      // Two interleaved rounds each; the best round of each server is reported, so that a burst
      // of other work on the shared machine does not decide the ratio.
      const best = (a, b) => (a.rps >= b.rps ? a : b);
      wrkFresh(plain, dir, 2, userFile(plain));
      let r = wrkFresh(server, dir, SECONDS / 2, userFile(server));
      let b = wrkFresh(bare, dir, SECONDS / 2, userFile(bare), { cycle: true });
      let p = wrkFresh(plain, dir, SECONDS / 2, userFile(plain));
      r = best(r, wrkFresh(server, dir, SECONDS / 2, userFile(server)));
      b = best(b, wrkFresh(bare, dir, SECONDS / 2, userFile(bare), { cycle: true }));
      p = best(p, wrkFresh(plain, dir, SECONDS / 2, userFile(plain)));
      const rr = wrkFresh(server, dir, SECONDS / 2, (file, n) =>
        presign(file, n, server.host, rootKey, 'bench-reader'),
      );
      const row = (label, x) =>
        console.log(
          `  ${label.padEnd(30)} ${f1(x.rps).padStart(9)} ${f2(x.p50).padStart(8)} ${f2(x.p99).padStart(8)} ${f1(x.cpuUsPerRequest).padStart(10)} ${String(x.errors).padStart(8)}`,
        );
      console.log('  server                             req/s   p50 ms   p99 ms  CPU us/req   non-2xx');
      row('rampart GetUser (RAM user)', r);
      row('rampart GetUser (root)', rr);
      row('plain: V3 check, one read', p);
      row('bare node:http, same-size body', b);
      console.log(
        `  ratio rampart / bare: ${((100 * r.rps) / b.rps).toFixed(0)}% of the requests/s (target >= 50%), ` +
          `${((100 * b.cpuUsPerRequest) / r.cpuUsPerRequest).toFixed(0)}% by server CPU per request`,
      );
      console.log(
        `  ratio plain / bare: ${((100 * p.rps) / b.rps).toFixed(0)}%; rampart / plain: ${((100 * r.rps) / p.rps).toFixed(0)}%`,
      );
      console.log(`  rampart RSS after load: ${f1(rssMiB(server.child.pid))} MiB`);
    }
    await stop(bare.child);
    await stop(plain.child);
    await stop(server.child);

    // --- Where one request goes: round trips and time per step (in process) ------------------
    await profileRequests({ dataDir, userKey, userName: 'bench-reader' });
    server = await startRampart(dataDir, env);

    // --- Scale: 100 users vs BIG users -------------------------------------------------------
    async function scale(label) {
      const createLatency = await timeEach(100, (i) =>
        call(server.port, server.host, rootKey, 'CreateUser', { UserName: `probe-${label}-${i}` }),
      );
      const first = await timeEach(50, () =>
        call(server.port, server.host, rootKey, 'ListUsers', { MaxItems: '100' }),
      );
      // Walk to the last pages with the largest page size, then time a late page.
      let marker;
      let pages = 0;
      const walkStart = performance.now();
      for (;;) {
        const page = await call(
          server.port,
          server.host,
          rootKey,
          'ListUsers',
          marker ? { MaxItems: '1000', Marker: marker } : { MaxItems: '1000' },
        );
        pages++;
        if (!page.IsTruncated) break;
        marker = page.Marker;
      }
      const walkMs = performance.now() - walkStart;
      const late = marker
        ? await timeEach(50, () =>
            call(server.port, server.host, rootKey, 'ListUsers', { MaxItems: '100', Marker: marker }),
          )
        : first;
      return { createLatency, first, late, pages, walkMs, rss: rssMiB(server.child.pid) };
    }

    // Bring the account to 100 users (bulk, through the domain).
    async function bulkCreate(target) {
      await stop(server.child);
      const d = await openDeployment({ dataDir, quotas: { usersPerAccount: BIG + 10_000 } });
      const t0 = performance.now();
      let count = 0;
      for (let i = 0; ; i++) {
        const name = `user-${String(i).padStart(6, '0')}`;
        try {
          await d.domain.users.create(init.AccountId, { userName: name });
        } catch (e) {
          if (e?.code !== 'EntityAlreadyExists.User') throw e;
        }
        count++;
        if (count >= target) break;
      }
      await d.close();
      const secs = (performance.now() - t0) / 1000;
      server = await startRampart(dataDir, env);
      return secs;
    }

    const rows = [];
    await bulkCreate(100);
    rows.push(['100', await scale('small')]);
    const bulkSecs = await bulkCreate(BIG);
    console.log(`\n(bulk setup: ${BIG} users through the domain in ${f1(bulkSecs)} s)`);
    // Touch the big listing once so the measured server has served it.
    rows.push([String(BIG), await scale('big')]);

    console.log(`\nLatency over HTTP (V3-signed by the root, sequential, ms p50 / p99)`);
    console.log(
      '  users in account   CreateUser      ListUsers first page   ListUsers late page   full walk (1000/page)   server RSS',
    );
    for (const [n, s] of rows) {
      console.log(
        `  ${n.padStart(16)}   ${f2(s.createLatency.p50)} / ${f2(s.createLatency.p99)}     ${f2(s.first.p50)} / ${f2(s.first.p99)}          ${f2(s.late.p50)} / ${f2(s.late.p99)}         ${String(s.pages).padStart(4)} pages ${f1(s.walkMs / 1000)} s    ${f1(s.rss)} MiB`,
      );
    }
    await stop(server.child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
