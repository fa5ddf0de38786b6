/**
 * Single sign-on in a real browser (docs/sso.md): the console's "Sign in with SSO" sends the
 * browser to the account's identity provider (SP-initiated, an AuthnRequest answered once), and
 * the provider's signed response logs the RAM user on; role-based SSO offers a choice among
 * the roles of the assertion and the console then works as that role's session. The identity
 * provider is the tests' SAML IdP, signing with a test key, answering at its own origin through
 * the browser's request routing; a RAM user's password logon is refused while SSO is on.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { selfSignedCertificate, type TestCertificate } from '../sso/idp-helpers.js';
import { samlIdp, type SamlIdp } from '../sso/saml-idp.js';

const ROLE_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
const SESSION_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** What an IdP answers a browser with: a form that posts the response to the service provider. */
function autoPost(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<!doctype html><html><body><form method="post" action="${esc(action)}">${inputs}</form><script>document.forms[0].submit()</script></body></html>`;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(browserStores())('single sign-on in the browser (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  const alias = `e2e-sso-${store}`;
  let s: InProcessServer;
  let cert: TestCertificate;
  let other: TestCertificate;
  let userIdp: SamlIdp;
  let roleIdp: SamlIdp;
  let providerArn: string;

  // The address SAML names (the public URL defaults to the listening one).
  const base = () => s.endpoint;

  beforeAll(async () => {
    if (skip) return;
    s = await startInProcessServer({ store, accountAlias: alias });
    cert = selfSignedCertificate('idp.example.test');
    other = selfSignedCertificate('other.example.test');
    userIdp = samlIdp(cert, other, 'https://idp.example.test/users');
    roleIdp = samlIdp(cert, other, 'https://idp.example.test/roles');
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'alice' });
    await d.loginProfiles.create(s.accountId, 'alice', { password: 'Initial-pass1' });
    await d.ssoSettings.set(s.accountId, {
      metadataDocument: userIdp.metadataBase64,
      ssoEnabled: true,
      auxiliaryDomain: 'corp.example',
    });
    const p = await d.federationProviders.createSaml(s.accountId, {
      samlProviderName: 'corp-idp',
      encodedSAMLMetadataDocument: roleIdp.metadataBase64,
    });
    providerArn = p.arn;
  });
  afterAll(async () => {
    await s?.stop();
    cert?.remove();
    other?.remove();
  });

  async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    try {
      await run(page);
    } finally {
      await context.close();
    }
  }

  it.skipIf(skip)('signs a RAM user in through the identity provider from the logon page', async () => {
    await withPage(async (page) => {
      const requests: string[] = [];
      // The identity provider: it answers the AuthnRequest with a signed response for alice.
      await page.route(`${userIdp.ssoUrl}**`, async (route: Route) => {
        const url = new URL(route.request().url());
        const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString(
          'utf8',
        );
        const id = /ID="([^"]+)"/.exec(request)![1]!;
        requests.push(id);
        const acs = /AssertionConsumerServiceURL="([^"]+)"/.exec(request)![1]!;
        const response = userIdp.response({
          nameId: 'alice@corp.example',
          recipient: acs,
          audience: /<saml:Issuer>([^<]+)<\/saml:Issuer>/.exec(request)![1]!,
          inResponseTo: id,
        });
        await route.fulfill({
          contentType: 'text/html',
          body: autoPost(acs, {
            SAMLResponse: response,
            RelayState: url.searchParams.get('RelayState') ?? '',
          }),
        });
      });

      await page.goto(`${base()}/console/`);
      // Password logon is off for RAM users while SSO is on; the page says where to go.
      await page.getByLabel('Login name').fill(`alice@${alias}.onaliyun.com`);
      await page.getByLabel('Password').fill('Initial-pass1');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('use "Sign in with SSO" below').waitFor();

      await page.getByLabel('Account alias or ID').fill('no-such-account');
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      // Told apart from an account without SSO by nothing.
      await page.getByText('Single sign-on is not enabled for this account.').waitFor();

      await page.getByLabel('Account alias or ID').fill(alias);
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      await page.getByTestId('principal').getByText(`alice (account ${s.accountId})`).waitFor();
      expect(requests).toHaveLength(1);
      await screenshot(page, 'sso-user');
      // The console works as alice: her session's credentials sign its calls.
      const who = await page.evaluate(async () => (await fetch('/logon/session')).json());
      expect(who).toMatchObject({ Session: { Principal: { Type: 'RAMUser', UserName: 'alice' } } });
    });
  });

  it.skipIf(skip)('offers the roles of the assertion and opens the chosen role session', async () => {
    const roleAcs = `${base()}/saml-role/sso`;
    const d = s.deployment.domain;
    const trust = JSON.stringify({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: { StringEquals: { 'saml:recipient': roleAcs } },
        },
      ],
    });
    const arns: string[] = [];
    for (const name of ['SsoAdmin', 'SsoAuditor']) {
      const r = await d.roles.create(s.accountId, { roleName: name, assumeRolePolicyDocument: trust });
      arns.push(r.arn);
    }
    await withPage(async (page) => {
      // An IdP-initiated logon: the provider's portal posts the response.
      await page.route('https://idp.example.test/portal', (route: Route) =>
        route.fulfill({
          contentType: 'text/html',
          body: autoPost(roleAcs, {
            SAMLResponse: roleIdp.response({
              nameId: 'bob@corp.example',
              recipient: roleAcs,
              audience: 'urn:rampart:cloudcomputing',
              attributes: { [ROLE_ATTR]: arns.map((a) => `${a},${providerArn}`), [SESSION_ATTR]: ['bob'] },
            }),
          }),
        }),
      );
      await page.goto('https://idp.example.test/portal');
      await page.getByRole('heading', { name: 'Choose a role' }).waitFor();
      await page.getByLabel(arns[1]!).check();
      await page.getByRole('button', { name: 'Log on' }).click();
      await page.getByTestId('principal').getByText(`SsoAuditor/bob (account ${s.accountId})`).waitFor();
      // A role session has no password or MFA device of its own to manage.
      expect(await page.getByRole('button', { name: 'My security' }).count()).toBe(0);
      const who = await page.evaluate(async () => (await fetch('/logon/session')).json());
      expect(who).toMatchObject({ Session: { Principal: { Type: 'AssumedRole', RoleName: 'SsoAuditor' } } });
      await screenshot(page, 'sso-role');
    });
  });
});
