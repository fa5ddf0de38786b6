/**
 * The object browser in a real browser, against the OSS-compatible data plane of a real server:
 * the root creates a bucket, uploads into a folder, browses folders and pages, reads an
 * object's meta, downloads it (the same bytes), and deletes it after a confirmation; a RAM user
 * with AliyunOSSReadOnlyAccess lists and downloads, and its upload is refused with the
 * explanation of the denial. Every request is signed in the page with the session's temporary
 * credentials (OSS signature V1), path-style on the console's own origin.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserStores, downloadBy, launchBrowser, screenshot } from '../helpers/browser.js';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { pgAvailable, pgSkipReason, rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { ossClient, ossFailure } from '../compat/oss-helpers.js';

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

/** Bytes that are not text, so that a download is checked byte for byte. */
const PAYLOAD = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + 11) % 256));

describe.each(browserStores())('the object browser (%s)', (store) => {
  const skip = store === 'postgres' && !pgAvailable;
  if (skip) it.skip(`PostgreSQL: ${pgSkipReason}`, () => {});
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  const bucket = `console-objects-${store}`;
  beforeAll(async () => {
    if (skip) return;
    server = await startServer({ store });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page)
      await screenshot(page, `failed-objects-${t.task.name.slice(0, 20).replace(/\W+/g, '-')}-${store}`);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const objects = () => page.getByTestId('objects');
  const row = (name: string) => objects().locator('tr', { has: page.getByText(name, { exact: true }) });

  it.skipIf(skip)('lets the root create a bucket, upload, browse, download and delete', async () => {
    await signIn(page, server, server.rootLoginName, server.rootPassword);
    await page.getByRole('heading', { name: 'Secure your logon' }).waitFor();
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await page.getByRole('menuitem', { name: 'Object storage' }).click();
    await page.getByRole('heading', { name: 'Object storage' }).waitFor();

    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByRole('dialog').getByLabel('Bucket name').fill(bucket);
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name: bucket, exact: true }).click();
    await page.getByRole('heading', { name: `Bucket ${bucket}` }).waitFor();

    // Upload into a folder that does not exist yet: the key is the folder's prefix + the file name.
    await page.getByLabel('Open folder').fill('reports/2026');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('folder-path').getByText('2026').waitFor();
    await page.getByLabel('File to upload').setInputFiles({
      name: 'q1 data.bin',
      mimeType: 'application/x-quarterly',
      buffer: PAYLOAD,
    });
    await page.getByTestId('object-meta').waitFor();
    const oss = ossClient(server, rootKeys(server), { bucket });
    const stored = await oss.get('reports/2026/q1 data.bin');
    expect(Buffer.compare(stored.content as Buffer, PAYLOAD)).toBe(0);
    const meta = page.getByTestId('object-meta');
    await expect(meta.innerText()).resolves.toContain('3000 bytes');
    await expect(meta.innerText()).resolves.toContain('application/x-quarterly');
    const etag = String(stored.res.headers.etag);
    expect(etag).toMatch(/^"[0-9A-F]{32}"$/);
    await expect(meta.innerText()).resolves.toContain(etag);

    // Browse from the top: the folders roll up under the delimiter.
    await page.getByTestId('folder-path').getByText(bucket).click();
    await row('reports/').waitFor();
    await objects().getByText('reports/', { exact: true }).click();
    await objects().getByText('2026/', { exact: true }).click();
    await row('q1 data.bin').waitFor();

    // Pages by marker: 12 objects in a folder, pages of 10.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        oss.put(`many/item-${String(i).padStart(2, '0')}.txt`, Buffer.from(`item ${i}`)),
      ),
    );
    await page.getByLabel('Open folder').fill('many/');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await row('item-00.txt').waitFor();
    await page.getByLabel('Page size').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: /^10$/ }).click();
    const shown = () => objects().locator('tbody tr.ant-table-row').count();
    await expect.poll(shown).toBe(10);
    await row('item-09.txt').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(shown).toBe(2);
    await row('item-10.txt').waitFor();
    await row('item-11.txt').waitFor();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(shown).toBe(10);
    await row('item-00.txt').waitFor();
    await expect(page.getByRole('button', { name: 'Previous page' }).isDisabled()).resolves.toBe(true);

    // Download: the same bytes.
    await page.getByLabel('Open folder').fill('reports/2026/');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await objects().getByText('q1 data.bin', { exact: true }).click();
    await page.getByTestId('object-meta').waitFor();
    await screenshot(page, `console-objects-${store}`);
    const download = await downloadBy(page, page.getByRole('button', { name: 'Download' }));
    expect(download.suggestedFilename()).toBe('q1 data.bin');
    expect(Buffer.compare(readFileSync((await download.path())!), PAYLOAD)).toBe(0);

    // Delete, after a confirmation.
    await page.getByTestId('object-panel').getByRole('button', { name: 'Delete' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('object-panel').waitFor({ state: 'detached' });
    await expect.poll(() => row('q1 data.bin').count()).toBe(0);
    expect((await ossFailure(oss.head('reports/2026/q1 data.bin'))).status).toBe(404);
  });

  it.skipIf(skip)(
    'lets a read-only user list and download; its upload is refused with the reason',
    async () => {
      const ram = async (action: string, params: Record<string, string>): Promise<void> => {
        const r = await signedCall(
          endpointUrl(server.host),
          rootKeys(server),
          'ram',
          action,
          Object.entries(params),
        );
        expect(r.status, r.body).toBe(200);
      };
      await ram('CreateUser', { UserName: 'viewer' });
      await ram('CreateLoginProfile', { UserName: 'viewer', Password: 'Viewer-Pass-123!' });
      await ram('AttachPolicyToUser', {
        PolicyType: 'System',
        PolicyName: 'AliyunOSSReadOnlyAccess',
        UserName: 'viewer',
      });
      const oss = ossClient(server, rootKeys(server), { bucket });
      await oss.put('shared/readme.txt', Buffer.from('read me'));

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, server, server.rootLoginName.replace(/^root@/, 'viewer@'), 'Viewer-Pass-123!');
      await page.getByRole('menuitem', { name: 'Object storage' }).click();
      await page.getByRole('link', { name: bucket, exact: true }).click();
      await objects().getByText('shared/', { exact: true }).click();
      await objects().getByText('readme.txt', { exact: true }).click();
      await page.getByTestId('object-meta').waitFor();
      const download = await downloadBy(page, page.getByRole('button', { name: 'Download' }));
      expect(readFileSync((await download.path())!, 'utf8')).toBe('read me');

      await page.getByLabel('File to upload').setInputFiles({
        name: 'new.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('nope'),
      });
      const failure = page.getByTestId('failure').filter({ hasText: 'AccessDenied' });
      await failure.waitFor();
      const denial = failure.getByTestId('denial');
      await expect(denial.innerText()).resolves.toContain('oss:PutObject');
      await expect(denial.innerText()).resolves.toContain('ImplicitDeny: no policy allows it');
      await expect(denial.innerText()).resolves.toContain('SubUser');
      await screenshot(page, `console-objects-denied-${store}`);
      expect((await ossFailure(oss.head('shared/new.txt'))).status).toBe(404);
    },
  );
});
