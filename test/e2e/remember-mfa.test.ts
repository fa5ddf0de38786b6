/**
 * "Remember this device for 7 days" in a real browser: a RAM user of an account whose security
 * preference allows it ticks the box at the MFA step, signs out, and signs in again with the
 * password alone; the box is not offered when the preference is off, and a ticket then no
 * longer skips the step. The server runs in-process (its clock drives the MFA codes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(browserStores())('remember this device (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let s: InProcessServer;
  let seed: string;
  const alias = `remember-e2e-${store}`;
  beforeAll(async () => {
    if (skip) return;
    s = await startInProcessServer({ store, accountAlias: alias });
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'dana' });
    await d.loginProfiles.create(s.accountId, 'dana', { password: 'Dana-pass-2026' });
    const dev = await d.mfa.createVirtual(s.accountId, 'dana-phone');
    const now = totpStep(s.clock());
    await d.mfa.bind(
      s.accountId,
      'dana',
      dev.serialNumber,
      totpCode(dev.base32StringSeed, now - 1),
      totpCode(dev.base32StringSeed, now),
    );
    seed = dev.base32StringSeed;
    await d.securityPreference.set(s.accountId, { enableSaveMFATicket: true });
  });
  afterAll(async () => {
    await s?.stop();
  });

  /** A code of the step after the last one used (the clock moves on first). */
  const nextCode = (): string => {
    s.clock.advance(30_000);
    return totpCode(seed, totpStep(s.clock()));
  };

  it.skipIf(skip)('offers the box at the MFA step, and a ticked box skips the step next time', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const signIn = async (): Promise<void> => {
      await page.goto(`${s.endpoint}/console/`);
      await page.getByLabel('Login name').fill(`dana@${alias}.onaliyun.com`);
      await page.getByLabel('Password').fill('Dana-pass-2026');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };
    try {
      await signIn();
      const box = page.getByRole('checkbox', { name: 'Remember this device for 7 days' });
      await box.waitFor();
      await box.check();
      await page.getByLabel('MFA code').fill(nextCode());
      await screenshot(page, 'remember-mfa');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const ticket = (await context.cookies()).find((c) => c.name === 'rampart_mfa_ticket');
      expect(ticket).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/logon' });
      await page.getByRole('button', { name: 'Sign out' }).click();

      // The password alone signs in; the session counts as having passed MFA.
      await signIn();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const session = await page.evaluate("fetch('/logon/session').then((r) => r.json())");
      expect(session).toMatchObject({ Session: { MFAPresent: true, Principal: { UserName: 'dana' } } });
      await page.getByRole('button', { name: 'Sign out' }).click();

      // The preference off: the ticket no longer skips the step, and the box is not offered.
      await s.deployment.domain.securityPreference.set(s.accountId, { enableSaveMFATicket: false });
      await signIn();
      await page.getByLabel('MFA code').waitFor();
      await expect(
        page.getByRole('checkbox', { name: 'Remember this device for 7 days' }).count(),
      ).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });
});
