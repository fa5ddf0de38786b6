/**
 * Administering an account in the console, in a real browser: the root creates a user with
 * console access and an AccessKey (the secret shown once, with a CSV), a custom policy (a
 * validation error shown live first), a group, attaches the policy, and asks the simulator;
 * the new user's first logon changes its password and binds MFA, and what its policies do not
 * allow is refused with the explanation. Names with HTML render as text; a forged cross-site
 * form is refused.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  browserStores,
  consecutiveTotpCodes,
  downloadBy,
  launchBrowser,
  screenshot,
} from '../helpers/browser.js';
import { pgAvailable, pgSkipReason, ramClient, startServer, type TestServer } from '../helpers/server.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, server: TestServer, loginName: string, password: string): Promise<void> {
  await page.goto(`${server.endpoint}/console/`);
  await page.getByLabel('Login name').fill(loginName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function pick(page: Page, label: string, text: string): Promise<void> {
  const box = page.getByLabel(label, { exact: true });
  await box.click();
  await box.fill(text);
  const option = page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text })
    .first();
  await option.waitFor();
  await box.press('Enter');
}

describe.each(browserStores())('administration in the console (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    if (skip) return;
    server = await startServer({ store });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
  });
  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page)
      await screenshot(page, `failed-${t.task.name.slice(0, 20).replace(/\W+/g, '-')}-${store}`);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it.skipIf(skip)('creates a user, a policy and a group, attaches it, and simulates', async () => {
    await signIn(page, server, server.rootLoginName, server.rootPassword);
    await page.getByRole('heading', { name: 'Secure your logon' }).waitFor();
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // A user with console access (a new password and MFA at the first logon) and an AccessKey.
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('User name').fill('reader');
    await dialog.getByLabel('Display name').fill(HOSTILE);
    await dialog.getByText('Console access (a password to sign in)').click();
    await dialog.getByLabel('Console password').fill('Initial-Pass-123!');
    await dialog.getByText('Require binding an MFA device at the next logon').click();
    await dialog.getByText('Programmatic access (an AccessKey)').click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.getByTestId('new-key-secret').innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(30);
    const download = await downloadBy(page, page.getByRole('button', { name: 'Download CSV' }));
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/^UserName,AccessKeyId,AccessKeySecret\r\nreader,\S+,/);
    expect(csv).toContain(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    // The display name is shown as text, never run.
    await page.getByRole('cell', { name: HOSTILE }).waitFor();
    await screenshot(page, `users-${store}`);

    // A custom policy: an error is shown while typing, then the valid document is created.
    await page.getByRole('menuitem', { name: 'Policies' }).click();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const pdialog = page.getByRole('dialog');
    await pdialog.getByLabel('Policy name').fill('ListUsersOnly');
    await pdialog.getByLabel('Description').fill(HOSTILE);
    const editor = pdialog.getByLabel('Policy document', { exact: true });
    await editor.fill('{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:ListUsers"}]}');
    await expect(pdialog.getByTestId('policy-issues').innerText()).resolves.toMatch(/Resource/);
    await expect(pdialog.getByRole('button', { name: 'Create' }).isDisabled()).resolves.toBe(true);
    await pdialog.getByLabel('Actions').fill('ram:ListUsers');
    await pdialog.getByLabel('Resources').fill('*');
    await editor.fill('{"Version": "1", "Statement": []}');
    await pdialog.getByRole('button', { name: 'Add the statement' }).click();
    await pdialog.getByTestId('policy-valid').waitFor();
    await screenshot(page, `policy-editor-${store}`);
    await pdialog.getByRole('button', { name: 'Create' }).click();
    await pdialog.waitFor({ state: 'hidden' });
    await page.getByLabel('Search policies').fill('ListUsers');
    await page.getByRole('link', { name: 'ListUsersOnly' }).waitFor();
    await page.getByRole('cell', { name: HOSTILE }).waitFor();

    // A group whose comments hold markup, with the user as a member.
    await page.getByRole('menuitem', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('dialog').getByLabel('Group name').fill('readers');
    await page.getByRole('dialog').getByLabel('Comments').fill(HOSTILE);
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'readers' }).click();
    await pick(page, 'User to add', 'reader');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'reader', exact: true }).waitFor();
    await screenshot(page, `group-${store}`);

    // The policy attached to the user, from the user's page.
    await page.goto(`${server.endpoint}/console/users/reader`);
    await page.getByRole('button', { name: 'Attach a policy' }).click();
    await pick(page, 'Policy', 'ListUsersOnly (Custom)');
    await page.getByRole('dialog').getByRole('button', { name: 'Attach' }).click();
    await page.getByTestId('user-policies').getByRole('link', { name: 'ListUsersOnly' }).waitFor();
    await expect(page.getByTestId('delete-conflicts').innerText()).resolves.toContain('readers');
    // Console logon disabled, then enabled again: a disabled logon is refused like a wrong password.
    await page.getByRole('button', { name: 'Disable console logon' }).click();
    await page.getByText('Console access disabled').waitFor();
    const disabled = await fetch(`${server.endpoint}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
      body: JSON.stringify({
        LoginName: `reader@${server.accountId}.onaliyun.com`,
        Password: 'Initial-Pass-123!',
      }),
    });
    expect(await disabled.json()).toMatchObject({ Code: 'AuthenticationFail.Logon' });
    await page.getByRole('button', { name: 'Enable console logon' }).click();
    await page.getByRole('button', { name: 'Disable console logon' }).waitFor();
    await screenshot(page, `user-${store}`);
    const attached = await ramClient(server).listPoliciesForUser(
      new (await import('@alicloud/ram20150501')).ListPoliciesForUserRequest({ userName: 'reader' }),
    );
    expect(attached.body?.policies?.policy?.map((p) => p.policyName)).toEqual(['ListUsersOnly']);

    // The simulator: the user may list users, not create one.
    await page.getByRole('menuitem', { name: 'Policy simulator' }).click();
    await pick(page, 'Principal', 'user reader');
    await page.getByLabel('Action').fill('ram:CreateUser');
    await page.getByLabel('Resource').fill(`acs:ram:*:${server.accountId}:user/someone`);
    await page.getByRole('button', { name: 'Simulate' }).click();
    await expect(page.getByTestId('decision-effect').innerText()).resolves.toBe('ImplicitDeny');
    await page.getByLabel('Action').fill('ram:ListUsers');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByTestId('decision-effect').getByText('Allow', { exact: true }).waitFor();
    expect((await page.getByTestId('decision-explanation').innerText()).length).toBeGreaterThan(0);
    await screenshot(page, `simulator-${store}`);
    await screenshot(page, 'simulator');

    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it.skipIf(skip)(
    'the user changes its password and binds MFA at its first logon, and sees why it is refused',
    async () => {
      await signIn(page, server, `reader@${server.accountId}.onaliyun.com`, 'Initial-Pass-123!');
      await page.getByLabel('New password', { exact: true }).fill('Second-Pass-456!');
      await page.getByLabel('Confirm the new password').fill('Second-Pass-456!');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('button', { name: 'Create an MFA device' }).click();
      await page.getByTestId('mfa-qr').waitFor();
      const seed = (await page.getByTestId('mfa-secret').innerText()).trim();
      const [code1, code2] = consecutiveTotpCodes(seed);
      await page.getByLabel('First code').fill(code1);
      await page.getByLabel('Next code').fill(code2);
      await page.getByRole('button', { name: 'Bind the device' }).click();

      // Signed in: the overview needs a permission the user lacks, and says which.
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const denial = page.getByTestId('denial').first();
      await expect(denial.innerText()).resolves.toContain('ram:GetAccountSecurityPracticeReport');
      await expect(denial.innerText()).resolves.toContain('ImplicitDeny');

      // Listing users is allowed; creating one is refused with the explanation.
      await page.getByRole('menuitem', { name: 'Users' }).click();
      await page.getByRole('link', { name: 'reader' }).waitFor();
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByRole('dialog').getByLabel('User name').fill('intruder');
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      const refused = page.getByRole('dialog').getByTestId('denial');
      await expect(refused.innerText()).resolves.toContain('ram:CreateUser');
      await screenshot(page, `refused-${store}`);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    },
  );

  it.skipIf(skip)('refuses a forged cross-site form post, and a forged unsigned API call', async () => {
    // A page of another site posts forms to the server, with the user's session live.
    const evil = `<!doctype html><form id="p" method="POST" enctype="text/plain"
      action="${server.endpoint}/logon/password"><input name='{"OldPassword":"Second-Pass-456!","NewPassword":"Evil-Pass-789!!","x":"' value='"}'></form>
      <form id="a" method="POST" action="${server.endpoint}/?Action=CreateUser&amp;Version=2015-05-01&amp;UserName=forged"></form>`;
    const other = await context.newPage();
    await other.route('http://forger.test/**', (r) => r.fulfill({ contentType: 'text/html', body: evil }));
    await other.goto('http://forger.test/');
    const [password] = await Promise.all([
      other.waitForResponse((r) => r.url().endsWith('/logon/password')),
      other.evaluate("document.getElementById('p').submit()"),
    ]);
    expect(password.status()).toBe(403);
    expect(await password.text()).toContain('Forbidden.CrossSiteRequest');
    await other.goto('http://forger.test/');
    const [api] = await Promise.all([
      other.waitForResponse((r) => r.url().includes('Action=CreateUser')),
      other.evaluate("document.getElementById('a').submit()"),
    ]);
    expect(api.status()).toBeGreaterThanOrEqual(400);
    await other.close();

    // Nothing changed: the old password still works, no user was created.
    const users = await ramClient(server).listUsers(
      new (await import('@alicloud/ram20150501')).ListUsersRequest({}),
    );
    expect(users.body?.users?.user?.map((u) => u.userName)).toEqual(['reader']);
    const check = await fetch(`${server.endpoint}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
      body: JSON.stringify({
        LoginName: `reader@${server.accountId}.onaliyun.com`,
        Password: 'Second-Pass-456!',
      }),
    });
    expect(check.status).toBe(200);
  });

  it.skipIf(skip)('edits a role trust policy, the password policy, and reads the audit log', async () => {
    await page.goto(`${server.endpoint}/console/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server, server.rootLoginName, server.rootPassword);
    await page.getByRole('button', { name: 'Skip for now' }).click();

    await page.getByRole('menuitem', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'Create role' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Role name').fill('auditor');
    const trust = dialog.getByLabel('Trust policy', { exact: true });
    await expect(trust.inputValue()).resolves.toContain(`acs:ram::${server.accountId}:root`);
    await trust.fill('{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}');
    await expect(dialog.getByTestId('policy-issues').innerText()).resolves.toMatch(/Principal/);
    await trust.fill(
      `{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::${server.accountId}:root"]}}]}`,
    );
    await dialog.getByTestId('policy-valid').waitFor();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'auditor' }).click();
    await page.getByLabel('Maximum session duration').fill('7200');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await screenshot(page, `role-${store}`);

    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('cell', { name: server.rootAccessKeyId }).waitFor();
    const policyForm = page.locator('form[id="password-policy"]');
    await policyForm.getByLabel('Minimum length').fill('12');
    await policyForm.getByText('Require a symbol').click();
    await policyForm.getByRole('button', { name: 'Save' }).click();
    await policyForm.getByText('Saved.').waitFor();
    await screenshot(page, `settings-${store}`);

    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'CreateUser', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: 'UpdateRole', exact: true }).first().waitFor();
    await screenshot(page, `audit-${store}`);

    const ram = ramClient(server);
    const Ram = await import('@alicloud/ram20150501');
    const role = await ram.getRole(new Ram.GetRoleRequest({ roleName: 'auditor' }));
    expect(role.body?.role?.maxSessionDuration).toBe(7200);
    const pp = await ram.getPasswordPolicy();
    expect(pp.body?.passwordPolicy).toMatchObject({ minimumPasswordLength: 12, requireSymbols: true });
  });
});
