/**
 * The console's OSS signer (web/src/oss-sign.ts, Web Crypto) against the server's verifier
 * (src/auth/signature-oss.ts): every request form the object browser sends verifies with the
 * right secret, and not with another, nor once a signed part is changed.
 */
import { describe, expect, it } from 'vitest';
import { signOss, type OssCall } from '../../web/src/oss-sign.js';
import { verifyOss } from '../../src/auth/signature-oss.js';

const CREDS = {
  accessKeyId: 'STS.NTest',
  accessKeySecret: 'secret-of-the-session',
  securityToken: 'token-1',
};

async function wire(call: OssCall) {
  const signed = await signOss(call, CREDS, new Date('2026-12-03T10:00:00Z'));
  const q = signed.url.indexOf('?');
  return {
    method: call.method,
    path: q < 0 ? signed.url : signed.url.slice(0, q),
    rawQuery: q < 0 ? '' : signed.url.slice(q + 1),
    headers: { host: '127.0.0.1:8080', ...signed.headers } as Record<string, string>,
  };
}

describe('the console OSS signer', () => {
  it.each<[string, OssCall]>([
    ['ListBuckets', { method: 'GET', bucket: '', query: [['max-keys', '1000']] }],
    [
      'ListObjects of a folder',
      {
        method: 'GET',
        bucket: 'bkt',
        key: '',
        query: [
          ['prefix', 'reports/2026 Q1/'],
          ['delimiter', '/'],
          ['marker', 'reports/2026 Q1/a+b.txt'],
          ['max-keys', '10'],
        ],
      },
    ],
    ['PutBucket', { method: 'PUT', bucket: 'bkt', key: '' }],
    [
      'PutObject with a content type',
      { method: 'PUT', bucket: 'bkt', key: 'dir/q1 data (ü).bin', headers: { 'Content-Type': 'text/plain' } },
    ],
    ['HeadObject', { method: 'HEAD', bucket: 'bkt', key: 'dir/x#y?.txt' }],
    ['DeleteObject', { method: 'DELETE', bucket: 'bkt', key: 'a/b/c' }],
    ['a sub-resource', { method: 'GET', bucket: 'bkt', key: '', query: [['acl', '']] }],
  ])('%s verifies', async (_name, call) => {
    const req = await wire(call);
    expect(req.headers.authorization).toMatch(/^OSS STS\.NTest:[A-Za-z0-9+/]+=*$/);
    expect(req.headers['x-oss-security-token']).toBe('token-1');
    expect(req.headers['x-oss-date']).toBe('Thu, 03 Dec 2026 10:00:00 GMT');
    const ok = verifyOss(req, CREDS.accessKeySecret);
    expect(ok).toMatchObject({
      scheme: 'OSS-V1',
      accessKeyId: 'STS.NTest',
      ok: true,
      securityToken: 'token-1',
    });
    expect(verifyOss(req, 'another-secret')?.ok).toBe(false);
  });

  it('signs the key, the content type, the token and the date', async () => {
    const req = await wire({
      method: 'PUT',
      bucket: 'bkt',
      key: 'a.txt',
      headers: { 'content-type': 'text/plain' },
    });
    for (const changed of [
      { ...req, path: '/bkt/b.txt' },
      { ...req, method: 'DELETE' },
      { ...req, headers: { ...req.headers, 'content-type': 'text/html' } },
      { ...req, headers: { ...req.headers, 'x-oss-security-token': 'token-2' } },
      { ...req, headers: { ...req.headers, 'x-oss-date': 'Thu, 03 Dec 2026 10:00:01 GMT' } },
    ])
      expect(verifyOss(changed, CREDS.accessKeySecret)?.ok).toBe(false);
  });

  it('signs nothing for a bucket that is no bucket name (the console reads it from its URL)', async () => {
    for (const bucket of ['/127.0.0.1:19238', '..', '../logon/session', 'Upper', 'a', 'bkt/x', 'bkt?acl']) {
      await expect(signOss({ method: 'GET', bucket }, CREDS), bucket).rejects.toThrow(/is not a bucket name/);
    }
    expect((await signOss({ method: 'GET', bucket: 'lab-1' }, CREDS)).url).toBe('/lab-1/');
  });
});
