/**
 * A new person's first minute, in a real browser: `rampart serve` on an empty data directory,
 * open the printed URL, sign in as the root with the printed password, bind MFA and change the
 * password as the console proposes, sign in again with the new password and an MFA code, land
 * on the overview, sign out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  browserStores,
  consecutiveTotpCodes,
  launchBrowser,
  screenshot,
  serveFresh,
  totpNow,
  type FreshServer,
} from '../helpers/browser.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(browserStores())('the first minute (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let server: FreshServer;
  beforeAll(async () => {
    if (!skip) server = await serveFresh(store);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.skipIf(skip)('prints the console URL, which a browser opens from / as well', async () => {
    // Printed with localhost (security keys need a host name), on the same socket as the API.
    expect(server.consoleUrl).toBe(`${server.url.replace('127.0.0.1', 'localhost')}/console/`);
    const visit = await fetch(`${server.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(visit.status).toBe(302);
    expect(visit.headers.get('location')).toBe('/console/');
    // An API request to / is never redirected: unsigned, it gets the API's error.
    const api = await fetch(`${server.url}/?Action=ListUsers&Version=2015-05-01`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(api.status).not.toBe(302);
    const page = await fetch(server.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toMatch(
      /script-src 'sha256-[^']+' 'strict-dynamic' 'self';/,
    );
  });

  it.skipIf(skip)(
    'signs the root in, binds MFA, changes the password, signs in again with MFA, signs out',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      try {
        await page.goto(`${server.url}/`);
        expect(new URL(page.url()).pathname).toBe('/console/');
        await page.getByLabel('Login name').fill(server.rootLoginName);
        await page.getByLabel('Password').fill(server.rootPassword);
        await screenshot(page, 'logon');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();

        // The root without MFA is asked to secure its logon.
        await page.getByRole('heading', { name: 'Secure your logon' }).waitFor();
        await page.getByRole('button', { name: 'Create an MFA device' }).click();
        await page.getByTestId('mfa-qr').waitFor();
        const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
        expect(secret).toMatch(/^[A-Z2-7]+=*$/);
        const [code1, code2] = consecutiveTotpCodes(secret);
        await page.getByLabel('First code').fill(code1);
        await page.getByLabel('Next code').fill(code2);
        await page.getByRole('button', { name: 'Bind the device' }).click();
        await page.getByTestId('mfa-bound').waitFor();

        const newPassword = 'Fresh-Start-2026!x';
        await page.getByLabel('Current password').fill(server.rootPassword);
        await page.getByLabel('New password', { exact: true }).fill(newPassword);
        await page.getByRole('button', { name: 'Change the password' }).click();
        await page.getByTestId('password-changed').waitFor();
        await page.getByRole('button', { name: 'Sign in again' }).click();

        // The old password no longer works; the new one asks for the MFA code.
        await page.getByLabel('Login name').fill(server.rootLoginName);
        await page.getByLabel('Password').fill(server.rootPassword);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await expect(page.getByRole('alert').first().innerText()).resolves.toContain('not correct');
        await page.getByLabel('Password').fill(newPassword);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByLabel('MFA code').fill(totpNow(secret, 1));
        await page.getByRole('button', { name: 'Verify' }).click();

        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        const state = page.getByTestId('security-state');
        await state.waitFor();
        await expect(state.innerText()).resolves.toContain('The root has an MFA device or a security key.');
        await expect(page.getByTestId('principal').innerText()).resolves.toContain('root');
        await screenshot(page, `overview-${store}`);
        await screenshot(page, 'overview');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        await page.reload();
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        expect(errors.filter((e) => !/status of 40[01]/.test(e))).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
