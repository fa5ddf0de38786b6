/**
 * The console's analysis and organization pages in a real browser: who can do an action on a
 * resource (the `rampart` API's WhoCan), what a new policy version would grant, proven by the
 * server's solver before it is saved (ComparePolicyDocuments, with a witness request), and the
 * Resource Directory tree with the control policies attached to each node.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { ramClient } from '../helpers/server.js';
import { call } from '../compat/ram-helpers.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(browserStores())('analysis and organization in the console (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let s: InProcessServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (skip) return;
    s = await startInProcessServer({ store });
    const ram = ramClient(s, { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret });
    await call(ram, 'CreateUser', { UserName: 'reader' });
    await call(ram, 'CreatePolicy', {
      PolicyName: 'read-lab',
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:lab/*' }],
      }),
    });
    await call(ram, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: 'read-lab',
      UserName: 'reader',
    });
    // A role another account may assume: external access.
    await call(ram, 'CreateRole', {
      RoleName: 'partner-audit',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: ['acs:ram::1234567890123456:root'] },
          },
        ],
      }),
    });
    const d = s.deployment.domain;
    await d.resourceDirectory.enable(s.accountId);
    const prod = await d.resourceDirectory.createFolder(s.accountId, 'Prod');
    await d.resourceDirectory.createAccount(s.accountId, {
      displayName: 'payments',
      parentFolderId: prod.folderId,
    });
    await d.controlPolicies.enable(s.accountId);
    const guard = await d.controlPolicies.create(s.accountId, {
      policyName: 'NoTrailDeletion',
      effectScope: 'RAM',
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'actiontrail:DeleteTrail', Resource: '*' }],
      }),
    });
    await d.controlPolicies.attach(s.accountId, guard.policyId, prod.folderId);

    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto(`${s.endpoint}/console/`);
    await page.getByLabel('Login name').fill(s.rootLoginName);
    await page.getByLabel('Password').fill(s.rootPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page)
      await screenshot(page, `failed-${t.task.name.slice(0, 20).replace(/\W+/g, '-')}-${store}`);
  });
  afterAll(async () => {
    await context?.close();
    await s?.stop();
  });

  it.skipIf(skip)('answers who can do an action on a resource, with the allowing statement', async () => {
    await page.getByRole('menuitem', { name: 'Access analysis' }).click();
    await page.getByLabel('Action').fill('oss:GetObject');
    await page.getByLabel('Resource').fill(`acs:oss:*:${s.accountId}:lab/report.csv`);
    await page.getByRole('button', { name: 'Ask' }).click();
    const table = page.getByTestId('who-can');
    await table.getByText('user reader').waitFor();
    await table.getByText('read-lab statement 0 (user)').waitFor();
    await screenshot(page, 'console-who-can');

    await page.getByLabel('Resource').fill(`acs:oss:*:${s.accountId}:other/report.csv`);
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.getByText('Nobody in the account but the root may do this.').waitFor();
    expect(await table.getByText('user reader').count()).toBe(0);
  });

  it.skipIf(skip)(
    'shows what a user can do, unused access, a least-privilege policy and external access',
    async () => {
      await page.getByRole('menuitem', { name: 'Access analysis' }).click();
      await page.getByRole('tab', { name: 'What can' }).click();
      const what = page.getByRole('tabpanel', { name: 'What can' });
      await what.getByLabel('Name').fill('reader');
      await what.getByRole('button', { name: 'Show' }).click();
      await page
        .getByTestId('what-can')
        .getByText('Allow oss:GetObject on acs:oss:*:*:lab/* (read-lab, user)')
        .waitFor();

      await page.getByRole('tab', { name: 'Unused access' }).click();
      await page
        .getByRole('tabpanel', { name: 'Unused access' })
        .getByRole('button', { name: 'Show' })
        .click();
      await page.getByTestId('unused').getByText('Console users without MFA').waitFor();

      await page.getByRole('tab', { name: 'Least privilege' }).click();
      const least = page.getByRole('tabpanel', { name: 'Least privilege' });
      await least.getByLabel('Name').fill('reader');
      await least.getByRole('button', { name: 'Generate' }).click();
      await page.getByTestId('least-privilege').getByText('0 call(s) in the trail.').waitFor();
      await least.getByLabel('Name').fill('nobody-here');
      await least.getByRole('button', { name: 'Generate' }).click();
      await least.getByText('EntityNotExist.User').first().waitFor();

      await page.getByRole('tab', { name: 'External access' }).click();
      await page.getByRole('button', { name: 'Find external access' }).click();
      const external = page.getByTestId('external');
      await external.getByText('role/partner-audit').waitFor();
      await external
        .getByText(/1234567890123456/)
        .first()
        .waitFor();
    },
  );

  it.skipIf(skip)('proves what a new policy version grants before it is saved', async () => {
    await page.goto(`${s.endpoint}/console/policies/Custom/read-lab`);
    const editor = page.getByLabel('Policy document', { exact: true });
    await editor.waitFor();
    await editor.fill(
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: 'acs:oss:*:*:lab/*' }],
      }),
    );
    await page.getByRole('button', { name: 'Check what this change grants' }).click();
    const proof = page.getByTestId('change-proof');
    await proof.getByText('The new version allows more than the default version.').waitFor();
    const witness = await proof.getByText('Newly allowed, for example:').textContent();
    // A request the new version allows and the old refuses: another OSS action on the lab.
    expect(witness).toMatch(/^Newly allowed, for example: oss:\S+ on acs:oss:/);
    expect(witness).not.toContain('oss:GetObject on');

    await editor.fill(
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:lab/public/*' }],
      }),
    );
    await page.getByRole('button', { name: 'Check what this change grants' }).click();
    await proof.getByText('The new version allows less than the default version, and nothing new.').waitFor();
    // Nothing was saved: the default version is still v1.
    const versions = await call(
      ramClient(s, { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret }),
      'ListPolicyVersions',
      { PolicyType: 'Custom', PolicyName: 'read-lab' },
    );
    expect(versions.PolicyVersions.PolicyVersion).toHaveLength(1);
  });

  it.skipIf(skip)('shows the resource directory with the control policies of each node', async () => {
    await page.getByRole('menuitem', { name: 'Organization' }).click();
    const tree = page.getByTestId('directory-tree');
    await tree.getByText('Prod').waitFor();
    await tree.getByText(/payments \(\d{16}\)/).waitFor();
    await tree.getByText('NoTrailDeletion').waitFor();
    expect(await tree.getByText('FullAliyunAccess').count()).toBeGreaterThan(0);
    await screenshot(page, 'console-organization');
  });
});
