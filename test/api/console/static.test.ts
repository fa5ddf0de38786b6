/**
 * The console's static files: content types, the security headers, caching of hashed assets,
 * the app page for the console's own paths, 404 for missing files, no way out of the build
 * directory; and which requests to `/` are a browser's visit (redirected) rather than API calls.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isBrowserVisit,
  isConsolePath,
  loadConsoleFiles,
  type ConsoleFiles,
} from '../../../src/api/console/static.js';

let dir: string;
let files: ConsoleFiles;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(tmpdir(), 'rampart-console-secret.txt'), 'secret');
  files = loadConsoleFiles(dir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'rampart-console-secret.txt'), { force: true });
});

const text = (b: string | Buffer): string => (typeof b === 'string' ? b : b.toString('utf8'));

describe('console files', () => {
  it.each([
    ['/console/', 200, 'text/html; charset=utf-8', 'no-cache', '<title>app</title>'],
    ['/console/users/alice', 200, 'text/html; charset=utf-8', 'no-cache', '<title>app</title>'],
    ['/console/index.html', 200, 'text/html; charset=utf-8', 'no-cache', '<title>app</title>'],
    ['/console/favicon.svg', 200, 'image/svg+xml', 'no-cache', '<svg/>'],
    [
      '/console/assets/index-abc123.js',
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      'console.log(1)',
    ],
    [
      '/console/assets/index-abc123.css',
      200,
      'text/css; charset=utf-8',
      'public, max-age=31536000, immutable',
      'body{}',
    ],
    ['/console/assets/missing.js', 404, 'text/plain; charset=utf-8', 'no-store', 'Not found'],
    ['/console/assets/', 404, 'text/plain; charset=utf-8', 'no-store', 'Not found'],
    ['/console/missing.png', 404, 'text/plain; charset=utf-8', 'no-store', 'Not found'],
    ['/console/../rampart-console-secret.txt', 404, 'text/plain; charset=utf-8', 'no-store', 'Not found'],
    ['/console/%2e%2e/rampart-console-secret.txt', 404, 'text/plain; charset=utf-8', 'no-store', 'Not found'],
    ['/console/%E0%A4%A', 400, 'text/plain; charset=utf-8', 'no-store', 'Malformed'],
  ])('GET %s answers %i %s', (path, status, type, cache, body) => {
    const r = files.answer('GET', path);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['cache-control']).toBe(cache);
    expect(text(r.body)).toContain(body);
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['content-security-policy']).toContain("script-src 'self';");
    expect(r.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('redirects /console to /console/, and refuses other methods than GET and HEAD', () => {
    expect(files.answer('GET', '/console')).toMatchObject({
      status: 301,
      headers: { location: '/console/' },
    });
    expect(files.answer('HEAD', '/console/').status).toBe(200);
    for (const m of ['POST', 'PUT', 'DELETE']) {
      expect(files.answer(m, '/console/')).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    }
  });

  it("allows the page's inline scripts by hash with 'strict-dynamic', and no other inline script", () => {
    const built = mkdtempSync(join(tmpdir(), 'rampart-console-'));
    try {
      const loader = 'document.head.appendChild(document.createElement("script"))';
      writeFileSync(
        join(built, 'index.html'),
        `<!doctype html><script src="/console/assets/x.js"></script><body><script>${loader}</script>`,
      );
      const hash = createHash('sha256').update(loader).digest('base64');
      const csp = loadConsoleFiles(built).answer('GET', '/console/').headers['content-security-policy']!;
      expect(csp.split('; ')[1]).toBe(`script-src 'sha256-${hash}' 'strict-dynamic' 'self'`);
      // Every answer of the console carries the same policy, a 404 included.
      expect(
        loadConsoleFiles(built).answer('GET', '/console/nope.js').headers['content-security-policy'],
      ).toBe(csp);
    } finally {
      rmSync(built, { recursive: true, force: true });
    }
  });

  it('says how to build the console when it is not built', () => {
    const none = loadConsoleFiles(join(dir, 'nowhere'));
    expect(none.built).toBe(false);
    const r = none.answer('GET', '/console/');
    expect(r.status).toBe(503);
    expect(text(r.body)).toContain('npm run build');
  });

  it.each([
    ['/console', true],
    ['/console/', true],
    ['/console/users', true],
    ['/consoles', false],
    ['/', false],
    ['/logon', false],
  ])('%s is a console path: %s', (path, yes) => {
    expect(isConsolePath(path)).toBe(yes);
  });
});

describe('a browser visit to /', () => {
  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  it.each([
    ['a browser opening the server', 'GET', '', { accept: html }, true],
    ['a browser with an unrelated query', 'GET', 'utm=1', { accept: html }, true],
    ['a V2 signed GET', 'GET', 'Action=ListUsers&Version=2015-05-01&Signature=x', { accept: html }, false],
    ['an unsigned API GET', 'GET', 'action=ListUsers', { accept: html }, false],
    ['a V3 signed call', 'GET', '', { accept: html, authorization: 'ACS3-HMAC-SHA256 x' }, false],
    ['an x-acs-action call', 'GET', '', { accept: html, 'x-acs-action': 'ListUsers' }, false],
    ['a client that does not accept HTML', 'GET', '', { accept: 'application/json' }, false],
    ['a client without Accept', 'GET', '', {}, false],
    ['a POST', 'POST', '', { accept: html }, false],
  ] as const)('%s: %s', (_name, method, query, headers, yes) => {
    expect(isBrowserVisit(method, query, headers)).toBe(yes);
  });
});
