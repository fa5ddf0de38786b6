/**
 * Security keys in a real browser, with a virtual authenticator of the Chrome DevTools
 * protocol: the root registers a key from its session, then signs in with the password and
 * the key as the MFA step. The console is opened as http://localhost:<port> (WebAuthn needs a
 * host name, not an IP address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { pgAvailable, pgSkipReason, startServer, type TestServer } from '../helpers/server.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(browserStores())('security keys (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let server: TestServer;
  beforeAll(async () => {
    if (!skip) server = await startServer({ store });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.skipIf(skip)('registers a key from a session and uses it as the MFA step', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      const base = `http://localhost:${server.port}/console/`;
      const signIn = async (): Promise<void> => {
        await page.goto(base);
        await page.getByLabel('Login name').fill(server.rootLoginName);
        await page.getByLabel('Password').fill(server.rootPassword);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      };

      await signIn();
      await page.getByRole('heading', { name: 'Secure your logon' }).waitFor();
      await page.getByLabel('Security key name').fill('Desk <b>key</b>');
      await page.getByRole('button', { name: 'Add a security key' }).click();
      await page.getByTestId('security-keys').getByText('Desk <b>key</b>').waitFor();
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      await screenshot(page, `security-keys-${store}`);
      await page.getByRole('button', { name: 'Sign out' }).click();

      // The password alone is no longer enough: the key answers the MFA step.
      await signIn();
      await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByTestId('security-state').waitFor();
      await expect(page.getByText('This session was opened without MFA.').count()).resolves.toBe(0);
      const session = await page.evaluate("fetch('/logon/session').then((r) => r.json())");
      expect(session).toMatchObject({ Session: { MFAPresent: true, Principal: { Type: 'Root' } } });

      // Without the authenticator, the key step fails and the password alone does not sign in.
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn();
      await page.getByLabel('MFA code').waitFor();
      const denied = await fetch(`${server.endpoint}/logon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
        body: JSON.stringify({ LoginName: server.rootLoginName, Password: server.rootPassword }),
      });
      expect(await denied.json()).toMatchObject({ Step: 'MFA' });
    } catch (e) {
      await screenshot(page, `failed-security-keys-${store}`);
      throw e;
    } finally {
      await context.close();
    }
  });
});
