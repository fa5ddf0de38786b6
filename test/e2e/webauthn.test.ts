/**
 * Security keys in a real browser, with a virtual authenticator of the Chrome DevTools
 * protocol: the root registers a key from its session, then signs in with the password and
 * the key as the MFA step; a key counts as MFA on the overview, the root's and a user's. The
 * console is opened as http://localhost:<port> (WebAuthn needs a host name, not an IP
 * address); opened on 127.0.0.1 it says so and links the localhost URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { pgAvailable, pgSkipReason, rootKeys, startServer, type TestServer } from '../helpers/server.js';

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

  async function ram(action: string, params: Record<string, string>): Promise<void> {
    const r = await signedCall(
      endpointUrl(server.host),
      rootKeys(server),
      'ram',
      action,
      Object.entries(params),
    );
    expect(r.status, r.body).toBe(200);
  }

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
      // The root's key is its MFA on the overview.
      const state = page.getByTestId('security-state');
      await expect(state.innerText()).resolves.toContain('The root has an MFA device or a security key.');

      // A console user with a key is not among the console users without MFA; one without is.
      for (const userName of ['keyholder', 'nokey']) {
        await ram('CreateUser', { UserName: userName });
        await ram('CreateLoginProfile', { UserName: userName, Password: 'Key-Holder-Pass-1!' });
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Login name').fill(server.rootLoginName.replace(/^root@/, 'keyholder@'));
      await page.getByLabel('Password').fill('Key-Holder-Pass-1!');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'My security' }).click();
      await page.getByLabel('Security key name').fill('Keyholder key');
      await page.getByRole('button', { name: 'Add a security key' }).click();
      await page.getByTestId('security-keys').getByText('Keyholder key').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn();
      await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const noMfa = state.locator('.ant-list-item', { hasText: 'Console users without MFA' });
      await expect(noMfa.innerText()).resolves.toContain('1 user(s) with console access have no MFA: nokey');
      await expect(noMfa.innerText()).resolves.not.toContain('keyholder');

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

  it.skipIf(skip)('says on an IP address that keys need a host name, and offers localhost', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    try {
      await page.goto(`${server.endpoint}/console/`);
      await page.getByLabel('Login name').fill(server.rootLoginName);
      await page.getByLabel('Password').fill(server.rootPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      // The root registered a key in the test above: the MFA step says why it cannot be used here.
      const notice = page.getByTestId('webauthn-ip-host');
      await notice.waitFor();
      await expect(notice.innerText()).resolves.toContain('IP address 127.0.0.1');
      const local = `http://localhost:${server.port}/console/`;
      await expect(notice.getByRole('link', { name: local }).getAttribute('href')).resolves.toBe(local);
      await expect(
        page.getByRole('button', { name: 'Use a security key or passkey' }).isDisabled(),
      ).resolves.toBe(true);
      await screenshot(page, `security-keys-ip-host-${store}`);
    } finally {
      await context.close();
    }
  });
});
