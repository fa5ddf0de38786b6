// Shared by the HTTP benchmarks: a `rampart serve` child, signed calls, and wrk replaying
// requests signed ahead of time (each with its own SignatureNonce) with the server's CPU time
// per request read from /proc.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { signed } from './signed.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(root, 'bin/rampart.js');
const REPLAY = fileURLToPath(new URL('./replay.lua', import.meta.url));

/**
 * `rampart serve` on a free port; `nodeArgs` go to node itself (e.g. --cpu-prof). Its stdout
 * (the request log, a line per request) goes to serve.log in the data directory, as a
 * deployment's log goes to its journal: a pipe to this process would not be read while wrk
 * runs (execFileSync blocks), so the server would buffer the log in memory and spend its
 * shutdown writing it out.
 */
export function startRampart(dataDir, env = {}, nodeArgs = []) {
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'serve.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', fd, 'inherit'],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /listening on http:\/\/([\d.]+):(\d+)/.exec(readFileSync(logFile, 'utf8'));
      if (m) {
        clearInterval(poll);
        resolve({ child, host: `${m[1]}:${m[2]}`, port: Number(m[2]), logFile });
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`rampart exited ${code}: ${readFileSync(logFile, 'utf8')}`));
    });
  });
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function send(port, { path, headers }) {
  return new Promise((resolve, reject) => {
    const agent = new Agent({ keepAlive: false });
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One signed call; its JSON answer, or an error for any status but 200. */
export async function call(server, key, action, params, version) {
  const r = await send(server.port, signed(server.host, key, action, params, version ? { version } : {}));
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
}

export function haveWrk() {
  return !spawnSync('wrk', ['--version']).error;
}

/** `n` requests signed ahead of time, one raw HTTP/1.1 request per line (a JSON string). */
export function presign(file, n, server, key, action, params, version) {
  const now = new Date();
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(16).toString('hex');
    const { path, headers } = signed(server.host, key, action, params, { nonce, now, version });
    let raw = `POST ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) raw += `${k}: ${v}\r\n`;
    lines[i] = JSON.stringify(`${raw}content-length: 0\r\n\r\n`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** User + system CPU time of a process, in milliseconds (from /proc). */
export function cpuMs(pid) {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The same for a process's main thread alone: the thread that serves requests. */
export function mainThreadCpuMs(pid) {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(path) {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export function toMs(text) {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/**
 * wrk against `server` replaying a fresh file of `rate * seconds` unique requests made by
 * `sign(file, n)`: requests/s, latency, non-2xx answers and the server's CPU per request.
 */
export function wrkRun(server, dir, seconds, connections, sign, rate = 40_000) {
  const file = join(dir, `requests-${randomBytes(4).toString('hex')}.txt`);
  const lines = Math.ceil(seconds * rate);
  sign(file, lines);
  try {
    const before = cpuMs(server.child.pid);
    const out = execFileSync(
      'wrk',
      [
        '-t2',
        `-c${connections}`,
        `-d${seconds}s`,
        '--latency',
        '-s',
        REPLAY,
        `http://${server.host}/`,
        '--',
        file,
        '2',
      ],
      { encoding: 'utf8' },
    );
    const cpu = cpuMs(server.child.pid) - before;
    const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    if (total >= lines - connections)
      console.log('  (the pre-signed requests ran out: the figure is a lower bound)');
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
      p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
      p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
      n: total,
      errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
      cpuUsPerRequest: total > 0 ? (cpu * 1000) / total : NaN,
    };
  } finally {
    rmSync(file, { force: true });
  }
}
