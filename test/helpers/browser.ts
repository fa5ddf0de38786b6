/**
 * The browser of the console's end-to-end tests: Debian's chromium driven by playwright-core,
 * headless, with a fresh profile. A missing browser fails the test (never a skip): CI
 * installs the `chromium` package when it is absent.
 *
 * Also `rampart serve` on an empty data directory, as a person starts it the first time, with
 * the console URL, root login name and password read from what it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Download, type Locator, type Page } from 'playwright-core';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { BIN } from './server.js';
import { createTestDatabase } from './pg.js';

export const CHROMIUM = process.env.RAMPART_CHROMIUM ?? '/usr/bin/chromium';

/** Where the e2e tests save screenshots (gitignored). */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set RAMPART_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot under test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Clicks `button` and answers the download it starts. A click that starts none within a few
 * seconds (made while its dialog was still opening, on a loaded machine) is made again, twice
 * at most; the first download to start is the answer.
 */
export async function downloadBy(page: Page, button: Locator): Promise<Download> {
  for (let attempt = 1; ; attempt++) {
    const started = page.waitForEvent('download', { timeout: 5_000 });
    started.catch(() => undefined); // awaited below, unless the click throws first
    await button.click();
    try {
      return await started;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/** The TOTP code of a base32 secret, `offset` 30-second steps from now. */
export function totpNow(secret: string, offset = 0): string {
  return totpCode(secret, totpStep(new Date()) + offset);
}

/**
 * Two consecutive codes of a base32 secret (the last step's and this one's), as a device is
 * bound with: both from one reading of the clock, so a step boundary between them cannot
 * make them two steps apart.
 */
export function consecutiveTotpCodes(secret: string): [string, string] {
  const step = totpStep(new Date());
  return [totpCode(secret, step - 1), totpCode(secret, step)];
}

export interface FreshServer {
  readonly url: string;
  readonly consoleUrl: string;
  readonly rootLoginName: string;
  readonly rootPassword: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `rampart serve` on an empty data directory (and an empty database for 'postgres'). */
export async function serveFresh(store: 'sqlite' | 'postgres' = 'sqlite'): Promise<FreshServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-e2e-'));
  const db = store === 'postgres' ? await createTestDatabase() : undefined;
  const env = { ...process.env };
  delete env.RAMPART_MASTER_KEY;
  delete env.RAMPART_DATABASE_URL;
  delete env.RAMPART_ROOT_PASSWORD;
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--data',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...(db ? ['--database-url', db.url] : []),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${out}`));
      });
    });
    child.removeAllListeners('exit');
    const consoleUrl = /console:\s+(\S+)/.exec(out)?.[1];
    const rootLoginName = /root login:\s+(\S+)/.exec(out)?.[1];
    const rootPassword = /root password:\s+(\S+)/.exec(out)?.[1];
    if (!consoleUrl || !rootLoginName || !rootPassword) throw new Error(`no first-start lines in:\n${out}`);
    let stopped: Promise<void> | undefined;
    return {
      url,
      consoleUrl,
      rootLoginName,
      rootPassword,
      process: child,
      output: () => out,
      stop: () => (stopped ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The stores a browser test runs on beyond the first-minute path: the console is a client of
 * the API, whose store behaviour the API tests cover on both stores, so one store keeps the
 * browser suite short. PostgreSQL when RAMPART_TEST_DATABASE_URL is set (CI), else SQLite;
 * RAMPART_E2E_ALL_STORES=1 runs both.
 */
export function browserStores(): readonly ('sqlite' | 'postgres')[] {
  if (process.env.RAMPART_E2E_ALL_STORES === '1') return ['sqlite', 'postgres'];
  return process.env.RAMPART_TEST_DATABASE_URL ? ['postgres'] : ['sqlite'];
}
