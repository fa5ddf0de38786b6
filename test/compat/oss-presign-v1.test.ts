/**
 * V1 presigned URLs (ali-oss `signatureUrl`) against a real server process: the URL signs the
 * request's Content-MD5, Content-Type and x-oss-* headers, as ali-oss computes it. A header the
 * URL did not sign (an added `x-oss-copy-source` turning a presigned PUT into a CopyObject, a
 * changed Content-Type) is SignatureDoesNotMatch and changes nothing; a URL made with a
 * Content-Type or an x-oss-meta-* option works when used with it. V4 URLs refuse an added
 * header too. Both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { STORES, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

/**
 * A PUT through a presigned URL. The body is bytes, so fetch adds no Content-Type of its own
 * (a string body would bring `text/plain;charset=UTF-8`, which a URL signed without a
 * Content-Type does not cover).
 */
async function put(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'PUT', body: Buffer.from(body), headers });
  return { status: res.status, text: await res.text() };
}

async function absent(c: Oss, key: string): Promise<void> {
  expect((await ossFailure(c.head(key))).status).toBe(404);
}

describe.each(STORES)('V1 presigned URLs sign their headers, with ali-oss (%s)', (store) => {
  let server: TestServer;
  let keys: KeyPair;

  beforeAll(async () => {
    server = await startServer({ store });
    keys = rootKeys(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a presigned PUT replayed with an added x-oss-copy-source is refused and copies nothing', async () => {
    const bucket = uniq('upl');
    const other = uniq('sec');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    const o = ossClient(server, keys, { addressing: 'path', bucket: other });
    await c.putBucket(bucket);
    await o.putBucket(other);
    await o.put('secret.txt', Buffer.from('top secret'));

    const url: string = c.signatureUrl('upload.bin', { method: 'PUT', expires: 600 });
    const replay = await put(url, '', { 'x-oss-copy-source': `/${other}/secret.txt` });
    expect(replay.status).toBe(403);
    expect(replay.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    await absent(c, 'upload.bin');
    // Nor with the source's bytes as the body, nor with an unsigned x-oss-meta header.
    expect((await put(url, 'x', { 'x-oss-meta-owner': 'mallory' })).status).toBe(403);
    await absent(c, 'upload.bin');

    // The URL still does what it was made for.
    const plain = await put(url, 'uploaded bytes');
    expect(plain.status).toBe(200);
    expect((await c.get('upload.bin')).content.toString()).toBe('uploaded bytes');
    expect((await o.get('secret.txt')).content.toString()).toBe('top secret');
  });

  it('a PUT URL made with a Content-Type works with it and is refused with another', async () => {
    const bucket = uniq('ctp');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    await c.putBucket(bucket);
    const url: string = c.signatureUrl('note.txt', {
      method: 'PUT',
      'Content-Type': 'text/plain',
      expires: 600,
    });

    const wrong = await put(url, 'html?', { 'Content-Type': 'text/html' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    await absent(c, 'note.txt');
    expect((await put(url, 'no type')).status).toBe(403);
    await absent(c, 'note.txt');

    const ok = await put(url, 'plain text body', { 'Content-Type': 'text/plain' });
    expect([ok.status, ok.text]).toEqual([200, '']);
    expect((await c.get('note.txt')).content.toString()).toBe('plain text body');
    expect((await c.head('note.txt')).res.headers['content-type']).toBe('text/plain');
  });

  it('a PUT URL made with an x-oss-meta-* option works with that header and value only', async () => {
    const bucket = uniq('meta');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    await c.putBucket(bucket);
    const url: string = c.signatureUrl('tagged.bin', { method: 'PUT', 'x-oss-meta-a': 'b', expires: 600 });

    expect((await put(url, 'x', { 'x-oss-meta-a': 'c' })).status).toBe(403);
    expect((await put(url, 'x')).status).toBe(403);
    await absent(c, 'tagged.bin');

    expect((await put(url, 'with meta', { 'x-oss-meta-a': 'b' })).status).toBe(200);
    expect((await c.head('tagged.bin')).meta).toEqual({ a: 'b' });
  });

  it('a GET URL still works, with a response override, and refuses an unsigned one', async () => {
    const bucket = uniq('get');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    await c.putBucket(bucket);
    await c.put('dir/read me.txt', Buffer.from('readable'));

    const res = await fetch(c.signatureUrl('dir/read me.txt', { expires: 600 }));
    expect([res.status, await res.text()]).toEqual([200, 'readable']);

    const disposition = 'attachment; filename="r.txt"';
    const withOverride = await fetch(
      c.signatureUrl('dir/read me.txt', { expires: 600, response: { 'content-disposition': disposition } }),
    );
    expect([withOverride.status, await withOverride.text()]).toEqual([200, 'readable']);
    expect(withOverride.headers.get('content-disposition')).toBe(disposition);

    const added = new URL(c.signatureUrl('dir/read me.txt', { expires: 600 }));
    added.searchParams.set('response-content-disposition', disposition);
    expect((await fetch(added)).status).toBe(403);
  });

  it('a V4 presigned PUT refuses an added x-oss-copy-source as well', async () => {
    const bucket = uniq('v4u');
    const other = uniq('v4s');
    const c = ossClient(server, keys, { addressing: 'path', bucket, v4: true });
    const o = ossClient(server, keys, { addressing: 'path', bucket: other, v4: true });
    await c.putBucket(bucket);
    await o.putBucket(other);
    await o.put('secret.txt', Buffer.from('top secret'));

    const url: string = await c.signatureUrlV4('PUT', 600, undefined, 'upload.bin');
    const replay = await put(url, '', { 'x-oss-copy-source': `/${other}/secret.txt` });
    expect(replay.status).toBe(403);
    expect(replay.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    await absent(c, 'upload.bin');
    expect((await put(url, 'v4 bytes')).status).toBe(200);
    expect((await c.get('upload.bin')).content.toString()).toBe('v4 bytes');
  });

  it('a V4 presigned URL lives at most 7 days: one signed for longer is refused', async () => {
    const bucket = uniq('v4e');
    const c = ossClient(server, keys, { addressing: 'path', bucket, v4: true });
    await c.putBucket(bucket);
    await c.put('week.txt', Buffer.from('seven days'));
    const week: string = await c.signatureUrlV4('GET', 604800, undefined, 'week.txt');
    expect(await (await fetch(week)).text()).toBe('seven days');
    const longer = await fetch(await c.signatureUrlV4('GET', 604801, undefined, 'week.txt'));
    expect(longer.status).toBe(400);
    expect(await longer.text()).toContain('<Code>InvalidArgument</Code>');
  });
});
