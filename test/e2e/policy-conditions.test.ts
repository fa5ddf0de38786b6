/**
 * Conditions in the visual statement editor, in a real browser: a statement built with an
 * IpAddress condition is saved as such; a document with conditions of every shape (a boolean,
 * a number, one string, a list of one) opens with its conditions shown, and after one is
 * removed and one added, saving keeps the others exactly as they were.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { browserStores, launchBrowser, screenshot } from '../helpers/browser.js';
import { pgAvailable, pgSkipReason, rootKeys, startServer, type TestServer } from '../helpers/server.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Picks an option of an antd Select (with search) inside `scope`. */
async function choose(page: Page, scope: Locator, label: string, text: string): Promise<void> {
  const box = scope.getByLabel(label, { exact: true });
  await box.click();
  await box.fill(text);
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text })
    .first()
    .waitFor();
  await box.press('Enter');
}

/**
 * Types values into the tags Select of a condition, then closes its list: left open (or still
 * closing), the list lies over the buttons below it and takes the next click.
 */
async function addValues(scope: Locator, values: readonly string[]): Promise<void> {
  const box = scope.getByLabel('Condition values', { exact: true });
  for (const v of values) {
    await box.click();
    await box.fill(v);
    await box.press('Enter');
  }
  await box.press('Escape');
  await expect
    .poll(() => scope.page().locator('.ant-select-dropdown:visible').count(), { timeout: 10_000 })
    .toBe(0);
}

describe.each(browserStores())('conditions in the statement editor (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    if (skip) return;
    server = await startServer({ store });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await page.goto(`${server.endpoint}/console/`);
    await page.getByLabel('Login name').fill(server.rootLoginName);
    await page.getByLabel('Password').fill(server.rootPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page)
      await screenshot(page, `failed-conditions-${t.task.name.slice(0, 20).replace(/\W+/g, '-')}-${store}`);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  async function ram(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const r = await signedCall(
      endpointUrl(server.host),
      rootKeys(server),
      'ram',
      action,
      Object.entries(params),
    );
    expect(r.status, r.body).toBe(200);
    return JSON.parse(r.body) as Record<string, unknown>;
  }
  async function savedDocument(name: string): Promise<{ Statement: Record<string, unknown>[] }> {
    const body = await ram('GetPolicy', { PolicyType: 'Custom', PolicyName: name });
    const version = body.DefaultPolicyVersion as { PolicyDocument: string };
    return JSON.parse(version.PolicyDocument) as { Statement: Record<string, unknown>[] };
  }

  it.skipIf(skip)('builds a statement with an IpAddress condition and saves it', async () => {
    await page.getByRole('menuitem', { name: 'Policies' }).click();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Policy name').fill('OfficeReports');
    const builder = dialog.getByTestId('new-statement');
    await builder.getByLabel('Actions').fill('oss:GetObject');
    await builder.getByLabel('Resources').fill('acs:oss:*:*:reports/*');
    await builder.getByRole('button', { name: 'Add a condition' }).click();
    const condition = builder.getByTestId('condition');
    await choose(page, condition, 'Condition operator', 'IpAddress');
    await condition.getByLabel('Condition key', { exact: true }).fill('acs:SourceIp');
    await addValues(condition, ['10.0.0.0/8', '192.168.1.1']);
    await builder.getByRole('button', { name: 'Add the statement' }).click();

    // The statement is in the document, and the editor shows its condition.
    const statement = dialog.getByTestId('statement-1');
    await expect(statement.getByLabel('Condition key', { exact: true }).inputValue()).resolves.toBe(
      'acs:SourceIp',
    );
    await dialog.getByTestId('policy-valid').waitFor();
    await screenshot(page, `policy-conditions-${store}`);
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    const doc = await savedDocument('OfficeReports');
    expect(doc.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'oss:GetObject',
        Resource: 'acs:oss:*:*:reports/*',
        Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '192.168.1.1'] } },
      },
    ]);
  });

  it.skipIf(skip)('shows the conditions of a document and saves them unchanged after an edit', async () => {
    const first = {
      Effect: 'Allow',
      Action: ['oss:GetObject', 'oss:ListObjects'],
      Resource: '*',
      Condition: {
        Bool: { 'acs:SecureTransport': true },
        StringLike: { 'oss:Prefix': 'home/*' },
        DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' },
        NumericLessThanEquals: { 'oss:max-keys': 100 },
      },
    };
    const second = {
      Effect: 'Deny',
      Action: 'oss:DeleteObject',
      Resource: '*',
      Condition: { NotIpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] } },
    };
    await ram('CreatePolicy', {
      PolicyName: 'Mixed',
      PolicyDocument: JSON.stringify({ Version: '1', Statement: [first, second] }),
    });

    await page.goto(`${server.endpoint}/console/policies/Custom/Mixed`);
    const one = page.getByTestId('statement-1');
    await expect.poll(() => one.getByTestId('condition').count(), { timeout: 10_000 }).toBe(4);
    const keys = await one
      .getByLabel('Condition key', { exact: true })
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(keys).toEqual(['acs:SecureTransport', 'oss:Prefix', 'acs:CurrentTime', 'oss:max-keys']);
    await expect(one.innerText()).resolves.toContain('home/*');
    await expect(one.innerText()).resolves.toContain('NumericLessThanEquals');
    await expect(page.getByTestId('statement-2').innerText()).resolves.toContain('NotIpAddress');

    // Remove the date condition, add an IP condition.
    await one
      .getByTestId('condition')
      .filter({ hasText: 'DateLessThan' })
      .getByRole('button', { name: 'Remove condition' })
      .click();
    await expect.poll(() => one.getByTestId('condition').count(), { timeout: 10_000 }).toBe(3);
    await one.getByRole('button', { name: 'Add a condition' }).click();
    const added = one.getByTestId('condition').nth(3);
    await choose(page, added, 'Condition operator', 'IpAddress');
    await added.getByLabel('Condition key', { exact: true }).fill('acs:SourceIp');
    await addValues(added, ['192.168.0.0/16']);
    await page.getByTestId('policy-valid').waitFor();
    await page.getByRole('button', { name: 'Save as a new default version' }).click();
    await expect
      .poll(
        async () =>
          (await ram('GetPolicy', { PolicyType: 'Custom', PolicyName: 'Mixed' })).DefaultPolicyVersion,
        { timeout: 10_000 },
      )
      .toMatchObject({ VersionId: 'v2' });

    const doc = await savedDocument('Mixed');
    expect(doc.Statement).toEqual([
      {
        ...first,
        Condition: {
          Bool: { 'acs:SecureTransport': true },
          StringLike: { 'oss:Prefix': 'home/*' },
          NumericLessThanEquals: { 'oss:max-keys': 100 },
          IpAddress: { 'acs:SourceIp': '192.168.0.0/16' },
        },
      },
      second,
    ]);
  });
});
