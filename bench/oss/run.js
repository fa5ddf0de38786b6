// OSS data plane and authorization point benchmark, against a real `rampart serve` process
// driven by wrk, each figure beside a bare node:http server measured in the same run:
//   - GetObject and PutObject of 4 KiB and 1 MiB objects (V1-signed, replayed: OSS signatures
//     carry no nonce) vs a bare server answering the same bytes / reading the same body
//     (GetObject: three interleaved rounds of half the seconds per server, the best of each;
//     4 KiB also signed by a RAM user holding AliyunOSSReadOnlyAccess: a policy per request);
//   - authorization-point decisions (POST /authorize, V3-signed, unique nonces) vs a bare
//     server answering a JSON POST.
//
//   npm run build && node bench/oss/run.js [--seconds 8] [--connections 32] [--get-only]
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequestV3 } from '../../dist/auth/signature-v3.js';
import { BIN, call, cpuMs, haveWrk, startRampart, stop, wrkRun } from '../http/wrk.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 32);
/** GetObject: rounds of GET_SECONDS per server, interleaved; the best of each is reported. */
const GET_ROUNDS = 3;
const GET_SECONDS = Math.max(1, Math.round(SECONDS / 2));
const BUCKET = 'bench-bucket';
const HOST = `${BUCKET}.oss-cn-hangzhou.aliyuncs.com`;

const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

function v1Headers(keys, method, key, contentType = '') {
  const date = new Date().toUTCString();
  const sig = createHmac('sha1', keys.secret)
    .update(`${method}\n\n${contentType}\n${date}\n/${BUCKET}/${key}`)
    .digest('base64');
  return {
    host: HOST,
    date,
    authorization: `OSS ${keys.id}:${sig}`,
    ...(contentType ? { 'content-type': contentType } : {}),
  };
}

/** One request as wrk will send it: its status (the bench refuses to measure errors). */
function probe(port, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': body?.length ?? 0 } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c.length < 2000 ? c : ''));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** wrk with one request (method, path, headers, body) replayed; a lua script written for it. */
function wrkFixed(port, dir, method, path, headers, bodyFile, pid, seconds = SECONDS) {
  const script = join(dir, `fixed-${randomBytes(4).toString('hex')}.lua`);
  const lines = [`wrk.method = "${method}"`, `wrk.path = "${path}"`];
  // wrk sends its own "Host" unless the script replaces that very entry.
  for (const [k, v] of Object.entries(headers)) {
    lines.push(`wrk.headers["${k === 'host' ? 'Host' : k}"] = ${JSON.stringify(v)}`);
  }
  if (bodyFile) lines.push(`local f = io.open("${bodyFile}", "rb")`, 'wrk.body = f:read("*a")', 'f:close()');
  writeFileSync(script, `${lines.join('\n')}\n`);
  const cpu0 = pid ? cpuMs(pid) : 0;
  const out = execFileSync(
    'wrk',
    [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      `http://127.0.0.1:${port}${path}`,
    ],
    { encoding: 'utf8' },
  );
  const cpu = pid ? cpuMs(pid) - cpu0 : NaN;
  rmSync(script, { force: true });
  const toMs = (t) => {
    const m = /([\d.]+)(us|ms|s)/.exec(t ?? '');
    return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return {
    rps,
    cpuUsPerRequest: total ? (cpu * 1000) / total : NaN,
    p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1]),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
}

/** The bare node:http peer (bench/oss/bare.js) in a child process, serving the files of dir. */
function bareServer(dir) {
  const child = spawn(process.execPath, [new URL('./bare.js', import.meta.url).pathname, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
  });
}

function report(ratios) {
  const get4k = ratios[0][1];
  console.log(
    `\ntarget: 4 KiB GetObject at 40 % or more of the bare server: ${f0(get4k * 100)} % ${get4k >= 0.4 ? '(met)' : '(NOT met)'}`,
  );
}

function row(label, r, bytes) {
  const mbs = bytes ? ` ${f1((r.rps * bytes) / 1e6).padStart(8)} MB/s` : ''.padStart(14);
  const cpu = Number.isFinite(r.cpuUsPerRequest) ? `  CPU ${f0(r.cpuUsPerRequest).padStart(5)} us/req` : '';
  return `  ${label.padEnd(34)} ${f0(r.rps).padStart(8)} req/s${mbs}  p50 ${f2(r.p50).padStart(7)} ms  p99 ${f2(r.p99).padStart(7)} ms${cpu}${r.errors ? `  (${r.errors} non-2xx)` : ''}`;
}

async function main() {
  if (!haveWrk()) {
    console.log('wrk is not installed: the benchmark needs it (/usr/bin/wrk).');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-oss-'));
  const init = JSON.parse(
    execFileSync(process.execPath, [BIN, 'init', '--data', dir, '--json', '--root-access-key'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const keys = { id: init.AccessKeyId, secret: init.AccessKeySecret };
  // RAMPART_BENCH_PROFILE=DIR: a CPU profile of the server, written when it stops.
  const prof = process.env.RAMPART_BENCH_PROFILE;
  const server = await startRampart(dir, {}, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []);
  const sizes = [
    ['4 KiB', 4 * 1024],
    ['1 MiB', 1024 * 1024],
  ];
  try {
    // fetch cannot set Host: node:http can.
    const put = (key, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'PUT',
            path: `/${key}`,
            headers: { ...v1Headers(keys, 'PUT', key), 'content-length': body.length },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () =>
              res.statusCode === 200 ? resolve() : reject(new Error(`PUT /${key}: ${text}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    await put('', Buffer.alloc(0));
    for (const [, size] of sizes) {
      const body = randomBytes(size);
      await put(`obj-${size}`, body);
      writeFileSync(join(dir, `body-${size}`), body);
    }
    const bare = await bareServer(dir);
    const barePort = bare.port;

    console.log(
      `OSS data plane, ${SECONDS} s per figure (GetObject: best of ${GET_ROUNDS} interleaved rounds of ${GET_SECONDS} s), ${CONNECTIONS} connections, wrk -t1, ${cpus().length} CPU(s): rampart serve (SQLite) vs bare node:http`,
    );
    const ratios = [];
    const best = (x, y) => (x === undefined || y.rps > x.rps ? y : x);
    /** GetObject of `path` signed with `headers` against the bare server, interleaved rounds. */
    const getRounds = (path, headers) => {
      let r;
      let b;
      for (let round = 0; round < GET_ROUNDS; round++) {
        r = best(
          r,
          wrkFixed(server.port, dir, 'GET', path, headers, undefined, server.child.pid, GET_SECONDS),
        );
        b = best(b, wrkFixed(barePort, dir, 'GET', path, {}, undefined, bare.child.pid, GET_SECONDS));
      }
      return { r, b };
    };
    for (const [label, size] of sizes) {
      const path = `/obj-${size}`;
      const headers = v1Headers(keys, 'GET', `obj-${size}`);
      await probe(server.port, 'GET', path, headers);
      // Interleaved rounds, the best of each: a burst of other work on the shared machine then
      // seldom decides the ratio (one figure each, taken at different moments, swung it by 15 %).
      const { r, b } = getRounds(path, headers);
      console.log(row(`GetObject ${label}: rampart`, r, size));
      console.log(row(`GetObject ${label}: bare node:http`, b, size));
      console.log(
        `    ratio ${f2(r.rps / b.rps)} (best of ${GET_ROUNDS} interleaved rounds each; ${f2(b.cpuUsPerRequest / r.cpuUsPerRequest)} by server CPU per request)`,
      );
      ratios.push([`GetObject ${label}`, r.rps / b.rps]);
    }
    {
      // The rows above are signed by the root, whom no policy limits. The same 4 KiB GetObject by
      // a RAM user holding AliyunOSSReadOnlyAccess has a policy decided on every request.
      const rootKey = { accessKeyId: keys.id, accessKeySecret: keys.secret };
      await call(server, rootKey, 'CreateUser', { UserName: 'bench-oss-reader' });
      await call(server, rootKey, 'AttachPolicyToUser', {
        UserName: 'bench-oss-reader',
        PolicyName: 'AliyunOSSReadOnlyAccess',
        PolicyType: 'System',
      });
      const k = (await call(server, rootKey, 'CreateAccessKey', { UserName: 'bench-oss-reader' })).AccessKey;
      const headers = v1Headers({ id: k.AccessKeyId, secret: k.AccessKeySecret }, 'GET', 'obj-4096');
      await probe(server.port, 'GET', '/obj-4096', headers);
      const { r, b } = getRounds('/obj-4096', headers);
      console.log(row('GetObject 4 KiB: rampart, RAM user', r, 4096));
      console.log(row('GetObject 4 KiB: bare node:http', b, 4096));
      console.log(
        `    ratio ${f2(r.rps / b.rps)} (a policy decided per request; ${f2(b.cpuUsPerRequest / r.cpuUsPerRequest)} by server CPU per request)`,
      );
    }
    // --get-only: the GetObject figures alone (the target's).
    for (const [label, size] of process.argv.includes('--get-only') ? [] : sizes) {
      const path = `/put-${size}`;
      const r = wrkFixed(
        server.port,
        dir,
        'PUT',
        path,
        v1Headers(keys, 'PUT', `put-${size}`, 'application/octet-stream'),
        join(dir, `body-${size}`),
      );
      const b = wrkFixed(
        barePort,
        dir,
        'PUT',
        path,
        { 'content-type': 'application/octet-stream' },
        join(dir, `body-${size}`),
      );
      console.log(row(`PutObject ${label}: rampart`, r, size));
      console.log(row(`PutObject ${label}: bare node:http`, b, size));
      console.log(`    ratio ${f2(r.rps / b.rps)}`);
      ratios.push([`PutObject ${label}`, r.rps / b.rps]);
    }

    if (process.argv.includes('--get-only')) {
      report(ratios);
      await stop(bare.child);
      return;
    }
    // Authorization-point decisions: unique V3-signed POST /authorize requests.
    const question = JSON.stringify({
      Arn: `acs:ram::${init.AccountId}:root`,
      Action: 'files:Read',
      Resource: `acs:oss:*:${init.AccountId}:${BUCKET}/obj-4096`,
      Context: { 'acs:SourceIp': '10.0.0.1' },
    });
    const sign = (file, n) => {
      const now = new Date();
      const lines = new Array(n);
      for (let i = 0; i < n; i++) {
        const h = signRequestV3({
          method: 'POST',
          path: '/authorize',
          host: server.host,
          action: 'Authorize',
          version: '2015-05-01',
          query: [],
          body: question,
          contentType: 'application/json',
          accessKeyId: keys.id,
          accessKeySecret: keys.secret,
          now,
        });
        let raw = 'POST /authorize HTTP/1.1\r\n';
        for (const [k, v] of Object.entries(h)) raw += `${k}: ${v}\r\n`;
        lines[i] = JSON.stringify(`${raw}content-length: ${Buffer.byteLength(question)}\r\n\r\n${question}`);
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
    };
    const ap = wrkRun(server, dir, SECONDS, CONNECTIONS, sign, 20_000);
    const apBare = wrkFixed(
      barePort,
      dir,
      'POST',
      '/authorize',
      { 'content-type': 'application/json' },
      undefined,
    );
    console.log(row('POST /authorize: rampart', ap));
    console.log(row('POST /authorize: bare node:http', apBare));
    console.log(`    ratio ${f2(ap.rps / apBare.rps)}`);
    report(ratios);
    await stop(bare.child);
  } finally {
    await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
