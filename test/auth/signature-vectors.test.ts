import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseFormEncoded } from '../../src/auth/percent-encode.js';
import { ossTarget, verifyOss } from '../../src/auth/signature-oss.js';
import { stringToSignV2, verifyV2 } from '../../src/auth/signature-v2.js';
import {
  canonicalRequestV3,
  parseV3Authorization,
  sha256Hex,
  verifyV3,
} from '../../src/auth/signature-v3.js';

/** Requests captured from the official clients (reference signature-vectors.json). */
interface Vector {
  name: string;
  algorithm: string;
  credentials: { accessKeyId: string; accessKeySecret: string };
  request: {
    method: string;
    path: string;
    rawQuery: string;
    headers: Record<string, string>;
    bodyBase64: string;
  };
  verification: {
    addressing?: string;
    accessKeyId?: string;
    stringToSign?: string;
    canonicalRequest?: string;
    receivedSignature?: string;
    ok?: boolean;
  } | null;
}

const vectors = (
  JSON.parse(readFileSync(new URL('../fixtures/signature-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

const isV2 = (v: Vector): boolean => v.algorithm.startsWith('V2 RPC');
const isV3 = (v: Vector): boolean => v.algorithm === 'ACS3-HMAC-SHA256';
const v2 = vectors.filter((v) => v.verification?.ok && isV2(v));
const v3 = vectors.filter((v) => v.verification?.ok && isV3(v));
const oss = vectors.filter((v) => v.verification?.ok && v.algorithm.startsWith('OSS'));

function body(v: Vector): Buffer {
  return Buffer.from(v.request.bodyBase64, 'base64');
}

function v2Params(v: Vector, rawQuery = v.request.rawQuery, rawBody = body(v)): [string, string][] {
  const form = (v.request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ? parseFormEncoded(rawBody.toString('utf8'))
    : [];
  return [...parseFormEncoded(rawQuery), ...form];
}

function v2Verify(v: Vector, params: [string, string][], secret = v.credentials.accessKeySecret) {
  const signature = params.find(([n]) => n === 'Signature')![1];
  return verifyV2(v.request.method, params, secret, signature);
}

function v3Verify(
  v: Vector,
  over: { rawQuery?: string; body?: Buffer; headers?: Record<string, string>; secret?: string } = {},
) {
  const headers = over.headers ?? v.request.headers;
  const auth = parseV3Authorization(headers.authorization!)!;
  const payload = over.body ?? body(v);
  return {
    auth,
    payloadHash: sha256Hex(payload),
    result: verifyV3(
      {
        method: v.request.method,
        path: v.request.path,
        query: parseFormEncoded(over.rawQuery ?? v.request.rawQuery),
        headers,
        signedHeaders: auth.signedHeaders,
        payloadHash: sha256Hex(payload),
      },
      over.secret ?? v.credentials.accessKeySecret,
      auth.signature,
    ),
  };
}

describe('captured requests', () => {
  it('hold 42 signed requests: 27 RPC and 15 OSS', () => {
    expect(v2.length).toBe(13);
    expect(v3.length).toBe(14);
    expect(oss.length).toBe(15);
  });
});

describe('signature V2 (HMAC-SHA1) on the captured requests', () => {
  it.each(v2.map((v) => [v.name, v] as const))('%s verifies with its secret', (_name, v) => {
    const result = v2Verify(v, v2Params(v));
    expect(result.stringToSign).toBe(v.verification!.stringToSign);
    expect(result.ok).toBe(true);
  });

  it.each(v2.map((v) => [v.name, v] as const))('%s fails with another secret', (_name, v) => {
    expect(v2Verify(v, v2Params(v), `${v.credentials.accessKeySecret}x`).ok).toBe(false);
  });

  it.each(v2.map((v) => [v.name, v] as const))('%s fails when a signed value is altered', (_name, v) => {
    const params = v2Params(v).map(([n, val]): [string, string] =>
      n === 'SignatureNonce' ? [n, `${val}0`] : [n, val],
    );
    expect(v2Verify(v, params).ok).toBe(false);
  });

  it('uses the real method in the string to sign', () => {
    const v = v2.find((x) => x.request.method === 'GET')!;
    const params = v2Params(v);
    expect(stringToSignV2('POST', params).startsWith('POST&%2F&')).toBe(true);
    expect(
      verifyV2('POST', params, v.credentials.accessKeySecret, params.find(([n]) => n === 'Signature')![1]).ok,
    ).toBe(false);
  });
});

describe('signature V3 (ACS3-HMAC-SHA256) on the captured requests', () => {
  it.each(v3.map((v) => [v.name, v] as const))('%s verifies with its secret', (_name, v) => {
    const { auth, payloadHash, result } = v3Verify(v);
    expect(auth.accessKeyId).toBe(v.credentials.accessKeyId);
    expect(payloadHash).toBe(v.request.headers['x-acs-content-sha256']);
    expect(result.canonicalRequest).toBe(v.verification!.canonicalRequest);
    expect(result.stringToSign).toBe(v.verification!.stringToSign);
    expect(result.ok).toBe(true);
  });

  it.each(v3.map((v) => [v.name, v] as const))('%s fails with another secret', (_name, v) => {
    expect(v3Verify(v, { secret: `${v.credentials.accessKeySecret}x` }).result.ok).toBe(false);
  });

  it.each(v3.map((v) => [v.name, v] as const))('%s fails when a signed header is altered', (_name, v) => {
    const headers = {
      ...v.request.headers,
      'x-acs-signature-nonce': `${v.request.headers['x-acs-signature-nonce']}0`,
    };
    expect(v3Verify(v, { headers }).result.ok).toBe(false);
  });

  it.each(v3.map((v) => [v.name, v] as const))('%s fails when the query is altered', (_name, v) => {
    expect(v3Verify(v, { rawQuery: `${v.request.rawQuery}&Extra=1` }).result.ok).toBe(false);
  });

  it('fails when the body is altered (covered through the payload hash)', () => {
    const v = v3.find((x) => x.name === 'openapiclient-v3-post-form-body')!;
    const tampered = Buffer.from(body(v).toString('utf8').replace('Tag.1.Value=v', 'Tag.1.Value=w'));
    expect(v3Verify(v, { body: tampered }).result.ok).toBe(false);
  });

  it('builds the canonical request from decoded values (a literal * becomes %2A)', () => {
    const v = v3.find((x) => x.name === 'ram-v3-createuser')!;
    expect(v.request.rawQuery).toContain('*');
    const auth = parseV3Authorization(v.request.headers.authorization!)!;
    const canonical = canonicalRequestV3({
      method: 'POST',
      path: '/',
      query: parseFormEncoded(v.request.rawQuery),
      headers: v.request.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash: sha256Hex(''),
    });
    expect(canonical.split('\n')[2]).toContain('%2A');
  });
});

describe('parseV3Authorization', () => {
  it.each([
    ['', undefined],
    ['ACS3-HMAC-SHA256', undefined],
    ['ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host', undefined],
    ['Bearer abc', undefined],
  ])('refuses %j', (header, expected) => {
    expect(parseV3Authorization(header)).toBe(expected);
  });

  it('reads the three fields', () => {
    expect(
      parseV3Authorization('ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders=host;x-acs-date,Signature=ab12'),
    ).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'AK1',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'ab12',
    });
  });
});

describe('OSS signatures (V1, V4, headers and presigned URLs) on the captured requests', () => {
  const req = (v: Vector, over: Partial<Vector['request']> = {}) => ({
    method: over.method ?? v.request.method,
    path: over.path ?? v.request.path,
    rawQuery: over.rawQuery ?? v.request.rawQuery,
    headers: over.headers ?? v.request.headers,
  });

  it.each(oss.map((v) => [v.name, v] as const))('%s verifies with its secret', (_name, v) => {
    const result = verifyOss(req(v), v.credentials.accessKeySecret)!;
    expect(result.accessKeyId).toBe(v.verification!.accessKeyId);
    expect(result.stringToSign).toBe(v.verification!.stringToSign);
    expect(result.ok).toBe(true);
    expect(ossTarget(v.request)!.addressing).toBe(v.verification!.addressing);
  });

  it.each(oss.map((v) => [v.name, v] as const))('%s fails with another secret', (_name, v) => {
    expect(verifyOss(req(v), `${v.credentials.accessKeySecret}x`)!.ok).toBe(false);
  });

  it.each(oss.map((v) => [v.name, v] as const))('%s fails for another object or method', (_name, v) => {
    expect(verifyOss(req(v, { path: `${v.request.path}x` }), v.credentials.accessKeySecret)!.ok).toBe(false);
    expect(
      verifyOss(
        req(v, { method: v.request.method === 'GET' ? 'HEAD' : 'GET' }),
        v.credentials.accessKeySecret,
      )!.ok,
    ).toBe(false);
  });

  it('reports the security token and the expiry of presigned URLs', () => {
    const sts = oss.find((v) => v.name === 'oss-v1-presigned-get-sts-token')!;
    const r = verifyOss(req(sts), sts.credentials.accessKeySecret)!;
    expect(r.securityToken).toBe('CAISRampartFixedSecurityToken+/=Ab12Cd34Ef56==');
    expect(r.expiresAt?.getTime()).toBe(1795436383 * 1000);
    const v4 = oss.find((v) => v.name === 'oss-v4-presigned-get')!;
    expect(verifyOss(req(v4), v4.credentials.accessKeySecret)!.expiresAt?.toISOString()).toBe(
      '2026-11-23T13:09:43.000Z',
    );
  });
});

describe('OSS V1 presigned URLs sign the Content-MD5, Content-Type and x-oss-* headers (as ali-oss does)', () => {
  // The official client builds the URLs; signatureUrl is pure (no request is sent).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const OSS = createRequire(import.meta.url)('ali-oss') as new (o: Record<string, unknown>) => any;
  const SECRET = 'presign-secret';
  const client = new OSS({
    accessKeyId: 'LTAI5tPresignKey',
    accessKeySecret: SECRET,
    endpoint: 'http://oss-cn-hangzhou.aliyuncs.com',
    bucket: 'demo-bucket',
  });

  /** The request a presigned URL makes, with the given headers (lower-case names). */
  function wire(url: string, method: string, headers: Record<string, string> = {}) {
    const u = new URL(url);
    return {
      method,
      path: u.pathname,
      rawQuery: u.search.slice(1),
      headers: { host: u.host, ...headers },
    };
  }
  const verify = (url: string, method: string, headers?: Record<string, string>) =>
    verifyOss(wire(url, method, headers), SECRET)!;

  it('a URL signed over Content-Type and an x-oss-meta header verifies only with both, unchanged', () => {
    const url: string = client.signatureUrl('dir/a.txt', {
      method: 'PUT',
      expires: 600,
      'Content-Type': 'text/plain',
      'x-oss-meta-a': 'b',
    });
    const expires = new URL(url).searchParams.get('Expires')!;
    const signed = { 'content-type': 'text/plain', 'x-oss-meta-a': 'b' };
    const ok = verify(url, 'PUT', signed);
    expect(ok).toMatchObject({ scheme: 'OSS-V1-URL', accessKeyId: 'LTAI5tPresignKey', ok: true });
    expect(ok.stringToSign).toBe(`PUT\n\ntext/plain\n${expires}\nx-oss-meta-a:b\n/demo-bucket/dir/a.txt`);

    expect(verify(url, 'PUT').ok).toBe(false);
    expect(verify(url, 'PUT', { 'x-oss-meta-a': 'b' }).ok).toBe(false);
    expect(verify(url, 'PUT', { 'content-type': 'text/plain' }).ok).toBe(false);
    expect(verify(url, 'PUT', { ...signed, 'content-type': 'text/html' }).ok).toBe(false);
    expect(verify(url, 'PUT', { ...signed, 'x-oss-meta-a': 'c' }).ok).toBe(false);
    expect(verify(url, 'PUT', { ...signed, 'x-oss-meta-z': 'extra' }).ok).toBe(false);
  });

  it('a URL signed over Content-MD5 verifies only with that Content-MD5', () => {
    const md5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
    const url: string = client.signatureUrl('dir/a.txt', { method: 'PUT', expires: 600, 'Content-MD5': md5 });
    expect(verify(url, 'PUT', { 'content-md5': md5 }).ok).toBe(true);
    expect(verify(url, 'PUT').ok).toBe(false);
    expect(verify(url, 'PUT', { 'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==' }).ok).toBe(false);
  });

  it('a plain PUT URL refuses an added x-oss-copy-source, Content-Type or x-oss-meta header', () => {
    const url: string = client.signatureUrl('dir/a.txt', { method: 'PUT', expires: 600 });
    expect(verify(url, 'PUT').ok).toBe(true);
    expect(verify(url, 'PUT', { 'content-length': '5' }).ok).toBe(true);
    expect(verify(url, 'PUT', { 'x-oss-copy-source': '/other-bucket/secret' }).ok).toBe(false);
    expect(verify(url, 'PUT', { 'content-type': 'text/html' }).ok).toBe(false);
    expect(verify(url, 'PUT', { 'x-oss-meta-a': 'b' }).ok).toBe(false);
    // Signed headers do not make room for an unsigned one either.
    const typed: string = client.signatureUrl('dir/a.txt', {
      method: 'PUT',
      expires: 600,
      'Content-Type': 'text/plain',
    });
    expect(
      verify(typed, 'PUT', { 'content-type': 'text/plain', 'x-oss-copy-source': '/other-bucket/secret' }).ok,
    ).toBe(false);
  });
});
