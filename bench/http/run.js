// HTTP benchmark: a signed GetUser (V3) against a real `rampart serve` process, side by side
// with a bare node:http server answering a fixed JSON body, both driven by the same load
// generator (keep-alive, 64 connections). Then CreateUser / ListUsers latency and the
// server's resident memory with 100 and with 100,000 users in one account.
//
//   node bench/http/run.js [--seconds 8] [--connections 64] [--users 100000]
//
// The load generator runs in this process and shares the machine's cores with the server.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';
import { percentEncode } from '../../dist/auth/percent-encode.js';
import { signRequestV3 } from '../../dist/auth/signature-v3.js';
import { openDeployment } from '../../dist/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'bin/rampart.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 64);
const BIG = arg('users', 100_000);

// ---------------------------------------------------------------------------------------------
// Processes

function startRampart(dataDir, env = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
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

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return kb / 1024;
}

// ---------------------------------------------------------------------------------------------
// Requests

function signed(host, key, action, params) {
  const query = Object.entries(params);
  const headers = signRequestV3({
    method: 'POST',
    host,
    action,
    version: '2015-05-01',
    query,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
  });
  const path = `/?${query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`;
  return { path, headers };
}

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

/** Closed-loop load: CONNECTIONS workers, each sends the next request when the last returns. */
async function load(port, makeRequest, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const r = await send(agent, port, makeRequest());
      const dt = performance.now() - t0;
      if (r.status === 200) latencies.push(dt);
      else if (errors++ === 0) console.error(`  first error: ${r.status} ${r.body}`);
    }
  }
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    n: latencies.length,
    errors,
  };
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

async function main() {
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

    const getUser = (s) => () => signed(s.host, userKey, 'GetUser', { UserName: 'bench-reader' });
    console.log(
      `\nGetUser (V3-signed, RAM user with a policy), ${CONNECTIONS} keep-alive connections, best of 2 x ${SECONDS / 2} s`,
    );
    await load(server.port, getUser(server), 2); // warm-up
    await load(bare.port, getUser(bare), 2);
    // Two interleaved rounds each; the best round of each server is reported, so that a burst
    // of other work on the shared machine does not decide the ratio.
    const best = (a, b) => (a.rps >= b.rps ? a : b);
    let r = await load(server.port, getUser(server), SECONDS / 2);
    let b = await load(bare.port, getUser(bare), SECONDS / 2);
    r = best(r, await load(server.port, getUser(server), SECONDS / 2));
    b = best(b, await load(bare.port, getUser(bare), SECONDS / 2));
    const rootGet = () => signed(server.host, rootKey, 'GetUser', { UserName: 'bench-reader' });
    const rr = await load(server.port, rootGet, SECONDS / 2);
    console.log('  server                          req/s     p50 ms   p99 ms   errors');
    console.log(
      `  rampart GetUser (RAM user)   ${f1(r.rps).padStart(9)} ${f2(r.p50).padStart(9)} ${f2(r.p99).padStart(8)} ${String(r.errors).padStart(8)}`,
    );
    console.log(
      `  rampart GetUser (root)       ${f1(rr.rps).padStart(9)} ${f2(rr.p50).padStart(9)} ${f2(rr.p99).padStart(8)} ${String(rr.errors).padStart(8)}`,
    );
    console.log(
      `  bare node:http, fixed body   ${f1(b.rps).padStart(9)} ${f2(b.p50).padStart(9)} ${f2(b.p99).padStart(8)} ${String(b.errors).padStart(8)}`,
    );
    console.log(`  ratio rampart / bare: ${((100 * r.rps) / b.rps).toFixed(0)}% (target >= 40%)`);
    console.log(`  rampart RSS after load: ${f1(rssMiB(server.child.pid))} MiB`);
    await stop(bare.child);

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
