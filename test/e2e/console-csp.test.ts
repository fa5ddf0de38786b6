/**
 * The console's script policy in a real browser: the app starts under it (its inline entry is
 * allowed by hash, the modules it imports through 'strict-dynamic'), and a script of the same
 * origin that the app did not import, here an object a public bucket serves, does not run in a
 * page answered with that policy, as it would under `script-src 'self'`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { ossClient } from '../compat/oss-helpers.js';

describe('the console script policy', () => {
  let browser: Browser;
  let server: TestServer;
  let context: BrowserContext;
  const bucket = 'console-csp-objects';

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer({ store: 'sqlite' });
    const owner = ossClient(server, rootKeys(server), { bucket });
    await owner.putBucket(bucket);
    await owner.putBucketACL(bucket, 'public-read');
    await owner.put('evil.js', Buffer.from('window.__fromBucket = "ran";'), {
      headers: { 'Content-Type': 'text/javascript' },
    });
    context = await browser.newContext();
    context.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('runs the app and nothing else of this origin', async () => {
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    const answer = await page.goto(`${server.endpoint}/console/`);
    const csp = answer!.headers()['content-security-policy']!;
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*' 'strict-dynamic' 'self';/);
    // The app ran: the sign-in form is React's work.
    await page.getByLabel('Login name').waitFor();
    expect(refused).toEqual([]);

    // The bucket's script is served to anyone, as a script.
    const object = await fetch(`${server.endpoint}/${bucket}/evil.js`);
    expect([object.status, object.headers.get('content-type')]).toEqual([200, 'text/javascript']);

    // A page of this origin that names it, answered with the console's policy and with the
    // policy it replaced: only the second runs it.
    const ranUnder = async (policy: string): Promise<unknown> => {
      const probe = await context.newPage();
      await probe.route(`${server.endpoint}/console/csp-probe`, (route) =>
        route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy },
          body: `<!doctype html><title>probe</title><script src="/${bucket}/evil.js"></script>`,
        }),
      );
      await probe.goto(`${server.endpoint}/console/csp-probe`, { waitUntil: 'load' });
      const ran: unknown = await probe.evaluate('window.__fromBucket');
      await probe.close();
      return ran;
    };
    expect(await ranUnder(csp)).toBeUndefined();
    expect(await ranUnder(csp.replace(/script-src [^;]+;/, "script-src 'self';"))).toBe('ran');
  });
});
