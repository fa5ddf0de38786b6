// Console benchmark: how long a cold browser takes from asking for the console's URL to the
// sign-in form being usable (the "Sign in" button on screen and enabled), against a real
// `rampart serve`, beside a bare node:http server that serves the same built files from memory
// and answers the console's one startup call (GET /logon/session, 401) in the same run. The
// difference between the two is what Rampart's serving adds; the rest is the browser parsing and
// running the bundle. Debian's chromium, headless, a fresh context (empty cache) per load.
//
// A second figure, against `rampart serve` only: a signed-in cold load. The root signs in once
// through the logon API in a fresh context (the session cookie, an empty cache), then the page
// loads /console/ until the overview's heading is on screen (the signed-in console's chunk,
// antd and its first style computation included).
//
//   npm run build && node bench/console/run.js [--loads 10]
//
// Target: the first screen interactive in under a second on this machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, startRampart, stop } from '../http/wrk.js';

const CHROMIUM = process.env.RAMPART_CHROMIUM ?? '/usr/bin/chromium';
const i = process.argv.indexOf('--loads');
const LOADS = i >= 0 ? Number(process.argv[i + 1]) : 10;
const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The bare peer: the built console from memory, and a 401 for the session call. */
function bareServer() {
  const files = new Map();
  const walk = (dir, prefix) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files.set(`/console/${prefix}${name}`, readFileSync(path));
    }
  };
  walk(CONSOLE_DIR, '');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/logon/session') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"Code":"NoSession"}');
      return;
    }
    const body = files.get(path) ?? files.get('/console/index.html');
    const type = TYPES[extname(files.has(path) ? path : 'index.html')] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** One cold load: milliseconds until the sign-in button is usable, and the page's own timings. */
async function load(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ state: 'visible' });
  const ms = Date.now() - t0;
  const nav = await page.evaluate(() => {
    // eslint-disable-next-line no-undef -- runs in the page
    const n = performance.getEntriesByType('navigation')[0];
    return { domInteractive: n.domInteractive, loadEventEnd: n.loadEventEnd };
  });
  await context.close();
  return { ms, ...nav };
}

/** One signed-in cold load: a session cookie in a fresh context, then /console/ to the overview. */
async function loadSignedIn(browser, origin, login) {
  const context = await browser.newContext();
  const r = await context.request.post(`${origin}/logon`, {
    data: login,
    headers: { 'x-rampart-logon': '1' },
  });
  const body = await r.json();
  if (!r.ok() || !body.Session) throw new Error(`logon: ${r.status()} ${JSON.stringify(body)}`);
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${origin}/console/`, { waitUntil: 'commit' });
  await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor({ state: 'visible' });
  const ms = Date.now() - t0;
  await context.close();
  return { ms };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-console-'));
  const dataDir = join(dir, 'data');
  const init = JSON.parse(
    execFileSync(process.execPath, [BIN, 'init', '--data', dataDir, '--json'], { encoding: 'utf8' }),
  );
  const login = { LoginName: init.RootLoginName, Password: init.RootPassword };
  const server = await startRampart(dataDir);
  const bare = await bareServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const targets = [
      ['rampart serve', `http://${server.host}/console/`],
      ['bare node:http, same files', `http://127.0.0.1:${bare.address().port}/console/`],
    ];
    const origin = `http://${server.host}`;
    for (const [, url] of targets) await load(browser, url); // warm the browser itself
    await loadSignedIn(browser, origin, login);
    const results = new Map(targets.map(([label]) => [label, []]));
    const signedIn = [];
    for (let n = 0; n < LOADS; n++) {
      for (const [label, url] of targets) results.get(label).push(await load(browser, url));
      signedIn.push(await loadSignedIn(browser, origin, login));
    }
    console.log(`Console sign-in page, cold context per load, ${LOADS} loads each, interleaved (ms)`);
    console.log('  server                          usable p50   usable max   DOM interactive p50');
    for (const [label, rs] of results) {
      console.log(
        `  ${label.padEnd(30)} ${String(median(rs.map((r) => r.ms))).padStart(10)} ${String(Math.max(...rs.map((r) => r.ms))).padStart(12)} ${median(
          rs.map((r) => r.domInteractive),
        )
          .toFixed(0)
          .padStart(14)}`,
      );
    }
    const ours = median(results.get('rampart serve').map((r) => r.ms));
    const peer = median(results.get('bare node:http, same files').map((r) => r.ms));
    console.log(`  ratio rampart / bare: ${(ours / peer).toFixed(2)}x`);
    console.log(`target: usable in under 1000 ms: ${ours} ms ${ours < 1000 ? '(met)' : '(NOT met)'}`);
    const signed = signedIn.map((r) => r.ms);
    console.log(
      `Signed-in cold load of /console/ to the overview's heading, rampart serve: p50 ${median(signed)} ms, max ${Math.max(...signed)} ms`,
    );
    console.log(
      `  all sign-in loads (ms): ${results
        .get('rampart serve')
        .map((r) => r.ms)
        .join(' ')}`,
    );
    console.log(`  all signed-in loads (ms): ${signed.join(' ')}`);
  } finally {
    await browser.close();
    bare.close();
    await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
