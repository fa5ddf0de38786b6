/**
 * The dates of V4 signatures on the data plane, against a real server process: a presigned URL
 * dated ahead of the server clock (beyond the 15 minutes of skew) is refused, so it cannot
 * outlive the 7-day cap; the credential scope's date must be the date of x-oss-date and its
 * region a region name, in the header and in a URL. URLs come from ali-oss's own signer; the
 * scopes no client sends are signed by hand with the server's string to sign. One store: nothing
 * here reads or writes the store beyond the key lookup.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyOss } from '../../src/auth/signature-oss.js';
import { rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { uniq } from './ram-helpers.js';
import { ossClient, type Oss } from './oss-helpers.js';

const v4Key = (secret: string, date: string, region: string): Buffer => {
  const h = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
  return h(h(h(h(`aliyun_v4${secret}`, date), region), 'oss'), 'aliyun_v4_request');
};

const basic = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

describe('OSS V4 signature dates', () => {
  let server: TestServer;
  let keys: KeyPair;
  let c: Oss;
  let bucket: string;

  beforeAll(async () => {
    server = await startServer();
    keys = rootKeys(server);
    bucket = uniq('vdates');
    c = ossClient(server, keys, { bucket, addressing: 'path' });
    await c.putBucket(bucket);
    await c.put('a.txt', Buffer.from('bytes'));
  });
  afterAll(async () => {
    vi.useRealTimers();
    await server?.stop();
  });

  /** A URL signed by ali-oss as if its clock said now + aheadMs. */
  async function urlSignedAhead(aheadMs: number, expires: number): Promise<string> {
    vi.useFakeTimers({ now: Date.now() + aheadMs, toFake: ['Date'] });
    try {
      return (await c.signatureUrlV4('GET', expires, undefined, 'a.txt')) as string;
    } finally {
      vi.useRealTimers();
    }
  }

  it.each([
    ['now', 0, 200],
    ['10 minutes ahead (within the skew)', 10 * 60_000, 200],
    ['20 minutes ahead', 20 * 60_000, 403],
    ['five years ahead, 7 days of life', 5 * 365 * 86_400_000, 403],
  ])('a presigned URL dated %s', async (_label, ahead, status) => {
    const r = await fetch(await urlSignedAhead(ahead, 604800));
    const body = await r.text();
    expect(r.status).toBe(status);
    if (status === 403) {
      expect(body).toMatch(/<Code>AccessDenied<\/Code>/);
      expect(body).toMatch(
        /<Message>Request is not valid yet: its x-oss-date is later than the current time \(15 minutes allowed for clock skew\).<\/Message>/,
      );
    }
  });

  /** A header-signed GET of a.txt with the given credential scope (date, region). */
  async function headerSigned(scopeDate: string, region: string): Promise<Response> {
    const headers: Record<string, string> = {
      host: `localhost:${server.port}`,
      'x-oss-date': basic(new Date()),
      'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    const credential = `${keys.accessKeyId}/${scopeDate}/${region}/oss/aliyun_v4_request`;
    const path = `/${bucket}/a.txt`;
    const draft = `OSS4-HMAC-SHA256 Credential=${credential},Signature=0`;
    const sts = verifyOss(
      { method: 'GET', path, rawQuery: '', headers: { ...headers, authorization: draft } },
      'x',
    )!.stringToSign;
    const sig = createHmac('sha256', v4Key(keys.accessKeySecret, scopeDate, region))
      .update(sts)
      .digest('hex');
    return fetch(`http://127.0.0.1:${server.port}${path}`, {
      headers: { ...headers, authorization: `OSS4-HMAC-SHA256 Credential=${credential},Signature=${sig}` },
    });
  }

  const today = (): string => new Date().toISOString().slice(0, 10).replace(/-/g, '');

  it.each([
    ['today, cn-hangzhou', () => today(), 'cn-hangzhou', 200, ''],
    ['20150101', () => '20150101', 'cn-hangzhou', 403, 'is not the date of x-oss-date'],
    ['99991231', () => '99991231', 'cn-hangzhou', 403, 'is not the date of x-oss-date'],
    ['notadate', () => 'notadate', 'cn-hangzhou', 403, 'notadate is not a date (yyyymmdd)'],
    ['today, region "Bad Region!"', () => today(), 'Bad_Region!', 403, 'the region is not a region name'],
  ])('header-signed V4, scope %s', async (_label, date, region, status, why) => {
    const r = await headerSigned(date(), region);
    const body = await r.text();
    expect(r.status).toBe(status);
    if (status === 403) {
      expect(body).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
      expect(body).toContain(why);
    }
  });

  it('a presigned URL whose scope date is not the date of its x-oss-date', async () => {
    const url = new URL(await urlSignedAhead(0, 600));
    const date = url.searchParams.get('x-oss-date')!;
    const credential = `${keys.accessKeyId}/20150101/cn-hangzhou/oss/aliyun_v4_request`;
    url.searchParams.set('x-oss-credential', credential);
    url.searchParams.set('x-oss-signature', '0');
    const rawQuery = url.search.slice(1);
    const sts = verifyOss(
      { method: 'GET', path: url.pathname, rawQuery, headers: { host: url.host } },
      'x',
    )!.stringToSign;
    url.searchParams.set(
      'x-oss-signature',
      createHmac('sha256', v4Key(keys.accessKeySecret, '20150101', 'cn-hangzhou'))
        .update(sts)
        .digest('hex'),
    );
    const r = await fetch(url);
    const body = await r.text();
    expect(r.status).toBe(403);
    expect(body).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
    expect(body).toContain(`its date 20150101 is not the date of x-oss-date ${date}`);
  });
});
