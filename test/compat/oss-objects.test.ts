/**
 * Every operation of the data plane through the official ali-oss client against a real server
 * process: V1 and V4 signatures, Host and path addressing, presigned URLs (signatureUrl,
 * signatureUrlV4) and STS credentials; and bad input, each a clear OSS error that writes
 * nothing. Both stores.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';
import { STORES, TRUST_ACCOUNT, call, uniq } from './ram-helpers.js';
import { assumeRole, sessionKeys } from './sts-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

const md5Hex = (b: Buffer | string): string => createHash('md5').update(b).digest('hex').toUpperCase();

/** A raw request (for what ali-oss never sends); answers status, headers and body text. */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CASES = [
  { label: 'V1, Host addressing', v4: false, addressing: 'ip' as const },
  { label: 'V4, path addressing', v4: true, addressing: 'path' as const },
];

describe.each(STORES)('OSS objects with ali-oss (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let keys: KeyPair;
  let work: string;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    keys = rootKeys(server);
    work = mkdtempSync(join(tmpdir(), 'rampart-oss-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe.each(CASES)('$label', ({ v4, addressing }) => {
    it('buckets: create, info, list, refuse to delete while not empty, delete', async () => {
      const bucket = uniq('bkt');
      const c = ossClient(server, keys, { v4, addressing });
      const created = await c.putBucket(bucket);
      expect(created.bucket).toBe(bucket);
      expect(created.res.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);
      const info = await c.getBucketInfo(bucket);
      expect(info.bucket).toMatchObject({
        Name: bucket,
        StorageClass: 'Standard',
        Owner: { ID: server.accountId },
      });
      const listed = await c.listBuckets({ prefix: bucket });
      expect(listed.buckets.map((b: { name: string }) => b.name)).toEqual([bucket]);
      expect(listed.owner.id).toBe(server.accountId);

      c.useBucket(bucket);
      await c.put('a.txt', Buffer.from('a'));
      const notEmpty = await ossFailure(c.deleteBucket(bucket));
      expect([notEmpty.status, notEmpty.code]).toEqual([409, 'BucketNotEmpty']);
      await c.delete('a.txt');
      expect((await c.deleteBucket(bucket)).res.status).toBe(204);
      const gone = await ossFailure(c.getBucketInfo(bucket));
      expect([gone.status, gone.code]).toEqual([404, 'NoSuchBucket']);
    });

    it('objects: put, get (with Range), head, meta, copy, delete, delete multiple', async () => {
      const bucket = uniq('obj');
      const c = ossClient(server, keys, { v4, addressing, bucket });
      await c.putBucket(bucket);
      const body = Buffer.from('hello, object store');
      const put = await c.put('dir/hello world+1.txt', body, {
        headers: {
          'Content-Type': 'text/plain',
          'Content-MD5': createHash('md5').update(body).digest('base64'),
        },
        meta: { owner: 'anne' },
      });
      expect(put.res.headers.etag).toBe(`"${md5Hex(body)}"`);

      const got = await c.get('dir/hello world+1.txt');
      expect(got.content.toString()).toBe(body.toString());
      expect(got.res.headers['content-type']).toBe('text/plain');
      expect(got.res.headers['x-oss-meta-owner']).toBe('anne');
      const part = await c.get('dir/hello world+1.txt', { headers: { Range: 'bytes=7-12' } });
      expect([part.res.status, part.content.toString()]).toEqual([206, 'object']);
      expect(part.res.headers['content-range']).toBe(`bytes 7-12/${body.length}`);
      // An empty object has no bytes to give: any range of it is InvalidRange.
      await c.put('dir/empty.txt', Buffer.alloc(0));
      for (const asked of ['bytes=-1', 'bytes=0-0', 'bytes=0-']) {
        const f = await ossFailure(c.get('dir/empty.txt', { headers: { Range: asked } }));
        expect([asked, f.status, f.code]).toEqual([asked, 416, 'InvalidRange']);
      }
      expect((await c.get('dir/empty.txt')).content.length).toBe(0);
      await c.delete('dir/empty.txt');
      // A last byte before the first is no range: the header is ignored, even when the first byte
      // lies past the end (RFC 9110 14.1.1).
      for (const asked of [`bytes=${body.length}-5`, 'bytes=5-2']) {
        const whole = await c.get('dir/hello world+1.txt', { headers: { Range: asked } });
        expect([asked, whole.res.status, whole.content.toString()]).toEqual([asked, 200, body.toString()]);
      }
      // An entity tag wins over a date of its kind (RFC 9110 13.2.2): a matching If-Match with
      // an If-Unmodified-Since in the past is 200, as is a failing If-None-Match with an
      // If-Modified-Since in the future.
      const { etag } = (await c.head('dir/hello world+1.txt')).res.headers as { etag: string };
      const past = new Date(Date.UTC(2000, 0, 1)).toUTCString();
      const future = new Date(Date.now() + 24 * 3600_000).toUTCString();
      const byTag = await c.get('dir/hello world+1.txt', {
        headers: { 'If-Match': etag, 'If-Unmodified-Since': past },
      });
      expect(byTag.res.status).toBe(200);
      const byNoneTag = await c.get('dir/hello world+1.txt', {
        headers: { 'If-None-Match': '"no-such-etag"', 'If-Modified-Since': future },
      });
      expect(byNoneTag.res.status).toBe(200);
      // The dates alone still decide: 412 and 304.
      const unmodified = await ossFailure(
        c.get('dir/hello world+1.txt', { headers: { 'If-Unmodified-Since': past } }),
      );
      expect(unmodified.status).toBe(412);

      const head = await c.head('dir/hello world+1.txt');
      expect(head.meta).toEqual({ owner: 'anne' });
      expect(head.res.headers['content-length']).toBe(String(body.length));
      expect(head.res.headers['x-oss-object-type']).toBe('Normal');
      const meta = await c.getObjectMeta('dir/hello world+1.txt');
      expect(meta.res.headers.etag).toBe(`"${md5Hex(body)}"`);

      const copied = await c.copy('copy/of hello.txt', 'dir/hello world+1.txt');
      expect(copied.data.etag).toBe(`"${md5Hex(body)}"`);
      expect((await c.get('copy/of hello.txt')).content.toString()).toBe(body.toString());
      // The source's conditions: an entity tag quoted or not, and the dates, as GetObject's.
      const copyIf = (headers: Record<string, string>) =>
        c.copy('copy/if.txt', 'dir/hello world+1.txt', { headers });
      expect((await copyIf({ 'x-oss-copy-source-if-match': md5Hex(body) })).res.status).toBe(200);
      const longAgo = new Date(Date.UTC(2000, 0, 1)).toUTCString();
      const tomorrow = new Date(Date.now() + 24 * 3600_000).toUTCString();
      const stale = await ossFailure(copyIf({ 'x-oss-copy-source-if-unmodified-since': longAgo }));
      expect([stale.status, stale.code]).toEqual([412, 'PreconditionFailed']);
      expect((await copyIf({ 'x-oss-copy-source-if-modified-since': tomorrow })).res.status).toBe(304);
      expect((await copyIf({ 'x-oss-copy-source-if-modified-since': longAgo })).res.status).toBe(200);
      await c.delete('copy/if.txt');

      const missing = await ossFailure(c.get('no/such/key'));
      expect([missing.status, missing.code]).toEqual([404, 'NoSuchKey']);
      expect(missing.ecCode).toMatch(/^\d{4}-\d{8}$/);
      // HEAD errors carry the envelope in x-oss-err, which ali-oss decodes.
      const headMissing = await ossFailure(c.head('no/such/key'));
      expect([headMissing.status, headMissing.code]).toEqual([404, 'NoSuchKey']);

      expect((await c.delete('no/such/key')).res.status).toBe(204);
      const multi = await c.deleteMulti(['dir/hello world+1.txt', 'copy/of hello.txt', 'never-there']);
      expect(multi.deleted.map((d: { Key: string }) => d.Key).sort()).toEqual(
        ['copy/of hello.txt', 'dir/hello world+1.txt', 'never-there'].sort(),
      );
      expect((await c.list({ 'max-keys': 10 })).objects ?? []).toEqual([]);
    });

    it('lists V1 and V2 with prefix, delimiter, markers, continuation and max-keys', async () => {
      const bucket = uniq('lst');
      const c = ossClient(server, keys, { v4, addressing, bucket });
      await c.putBucket(bucket);
      const keyNames = ['a/1', 'a/2', 'a/b/3', 'b', 'c/4', 'c/5', 'd', 'é'];
      for (const k of keyNames) await c.put(k, Buffer.from(k));

      const all = await c.list({ 'max-keys': 1000 });
      expect(all.objects.map((o: { name: string }) => o.name)).toEqual(keyNames);
      expect(all.objects[0].owner.id).toBe(server.accountId);

      const top = await c.list({ delimiter: '/' });
      expect(top.objects.map((o: { name: string }) => o.name)).toEqual(['b', 'd', 'é']);
      expect(top.prefixes).toEqual(['a/', 'c/']);

      // V1 paging: max-keys counts objects and common prefixes; NextMarker continues.
      const seen: string[] = [];
      let marker: string | undefined = '';
      while (marker !== undefined) {
        const page: Oss = await c.list({ delimiter: '/', 'max-keys': 2, marker });
        seen.push(...(page.objects ?? []).map((o: { name: string }) => o.name), ...(page.prefixes ?? []));
        marker = page.isTruncated ? page.nextMarker : undefined;
      }
      expect(seen.sort()).toEqual(['a/', 'b', 'c/', 'd', 'é'].sort());

      // V2 paging with continuation tokens.
      const v2seen: string[] = [];
      let token: string | undefined;
      for (;;) {
        const page: Oss = await c.listV2({
          prefix: 'a/',
          'max-keys': 1,
          ...(token ? { 'continuation-token': token } : {}),
        });
        expect(page.keyCount).toBe(1);
        v2seen.push(...page.objects.map((o: { name: string }) => o.name));
        if (!page.isTruncated) break;
        token = page.nextContinuationToken;
      }
      expect(v2seen).toEqual(['a/1', 'a/2', 'a/b/3']);
      const after = await c.listV2({ 'start-after': 'c/4', 'max-keys': 10 });
      expect(after.objects.map((o: { name: string }) => o.name)).toEqual(['c/5', 'd', 'é']);
    });

    it('multipart: initiate, upload parts, list parts, complete; abort drops the parts', async () => {
      const bucket = uniq('mpu');
      const c = ossClient(server, keys, { v4, addressing, bucket });
      await c.putBucket(bucket);
      const file = join(work, `${bucket}.bin`);
      const content = Buffer.alloc(2 * 1024 * 1024 + 12345);
      for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
      writeFileSync(file, content);
      const done = await c.multipartUpload('big/file.bin', file, { partSize: 512 * 1024 });
      expect(done.res.status).toBe(200);
      const got = await c.get('big/file.bin');
      expect(md5Hex(got.content)).toBe(md5Hex(content));
      expect((await c.head('big/file.bin')).res.headers['x-oss-object-type']).toBe('Multipart');

      const init = await c.initMultipartUpload('aborted.bin');
      await c.uploadPart('aborted.bin', init.uploadId, 1, file, 0, 200 * 1024);
      await c.uploadPart('aborted.bin', init.uploadId, 2, file, 200 * 1024, 300 * 1024);
      const parts = await c.listParts('aborted.bin', init.uploadId);
      expect(parts.parts.map((p: { PartNumber: string; Size: string }) => [p.PartNumber, p.Size])).toEqual([
        ['1', String(200 * 1024)],
        ['2', String(100 * 1024)],
      ]);
      await c.abortMultipartUpload('aborted.bin', init.uploadId);
      const gone = await ossFailure(c.listParts('aborted.bin', init.uploadId));
      expect([gone.status, gone.code]).toEqual([404, 'NoSuchUpload']);
      expect((await ossFailure(c.head('aborted.bin'))).code).toBe('NoSuchKey');

      // Every part but the last must be at least 100 KiB.
      const small = await c.initMultipartUpload('small.bin');
      const p1 = await c.uploadPart('small.bin', small.uploadId, 1, file, 0, 1000);
      const p2 = await c.uploadPart('small.bin', small.uploadId, 2, file, 1000, 2000);
      const tooSmall = await ossFailure(
        c.completeMultipartUpload('small.bin', small.uploadId, [
          { number: 1, etag: p1.etag },
          { number: 2, etag: p2.etag },
        ]),
      );
      expect([tooSmall.status, tooSmall.code]).toEqual([400, 'EntityTooSmall']);
      expect((await ossFailure(c.head('small.bin'))).code).toBe('NoSuchKey');
    });
  });

  it('presigned URLs: signatureUrl (V1) and signatureUrlV4 read; expired URLs are refused', async () => {
    const bucket = uniq('url');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    await c.putBucket(bucket);
    await c.put('shared/file.txt', Buffer.from('shared bytes'));
    const v1 = await fetch(c.signatureUrl('shared/file.txt', { expires: 60 }));
    expect([v1.status, await v1.text()]).toEqual([200, 'shared bytes']);
    const v4 = await fetch(await c.signatureUrlV4('GET', 60, undefined, 'shared/file.txt'));
    expect([v4.status, await v4.text()]).toEqual([200, 'shared bytes']);

    const expired = await fetch(c.signatureUrl('shared/file.txt', { expires: -1 }));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(
      /<Code>AccessDenied<\/Code><Message>Request has expired\.<\/Message>/,
    );
    const tampered = new URL(c.signatureUrl('shared/file.txt', { expires: 60 }));
    tampered.pathname = tampered.pathname.replace('file.txt', 'other.txt');
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // A presigned PUT uploads.
    const putUrl = c.signatureUrl('shared/put.txt', { method: 'PUT', expires: 60 });
    // A Buffer body: fetch sends a string with a Content-Type of its own, which the URL did not sign.
    const uploaded = await fetch(putUrl, { method: 'PUT', body: Buffer.from('via url') });
    expect(uploaded.status).toBe(200);
    expect((await c.get('shared/put.txt')).content.toString()).toBe('via url');
  });

  it('an object that is a web page is served in a sandbox, never as a page of the console', async () => {
    const bucket = uniq('page');
    const c = ossClient(server, keys, { addressing: 'path', bucket });
    await c.putBucket(bucket);
    await c.putBucketACL(bucket, 'public-read');
    const page = '<script>fetch("/logon/session")</script>';
    await c.put('x.html', Buffer.from(page), { mime: 'text/html' });
    await c.put('notes.txt', Buffer.from(page), { mime: 'text/plain' });
    const signed = new URL(c.signatureUrl('x.html', { expires: 60 }));
    const answers = [
      // Anonymous, with a type chosen in the query, a range, and by a presigned URL.
      await raw(server.port, 'GET', `/${bucket}/x.html`),
      await raw(server.port, 'HEAD', `/${bucket}/x.html`),
      await raw(server.port, 'GET', `/${bucket}/notes.txt?response-content-type=text/html`),
      await raw(server.port, 'GET', `/${bucket}/x.html`, { range: 'bytes=0-7' }),
      await raw(server.port, 'GET', signed.pathname + signed.search),
    ];
    for (const a of answers) {
      expect(a.status === 200 || a.status === 206).toBe(true);
      expect(a.headers['content-security-policy']).toBe('sandbox');
      expect(a.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(answers[0]!.headers['content-type']).toBe('text/html');
    expect(answers[0]!.body).toBe(page);
  });

  it('STS credentials: a role session reads with AliyunOSSReadOnlyAccess and may not write', async () => {
    const bucket = uniq('sts');
    const owner = ossClient(server, keys, { bucket });
    await owner.putBucket(bucket);
    await owner.put('hello.txt', Buffer.from('hello'));
    const roleName = uniq('oss-reader');
    await call(root, 'CreateRole', {
      RoleName: roleName,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
    });
    await call(root, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSReadOnlyAccess',
      RoleName: roleName,
    });
    const assumed = await assumeRole(server, keys, {
      RoleArn: `acs:ram::${server.accountId}:role/${roleName}`,
      RoleSessionName: 'lab',
    });
    const session = sessionKeys(assumed);
    for (const v4 of [false, true]) {
      const c = ossClient(server, session, { bucket, v4, addressing: v4 ? 'path' : 'ip' });
      expect((await c.get('hello.txt')).content.toString()).toBe('hello');
      const refused = await ossFailure(c.put('hello.txt', Buffer.from('no')));
      expect([refused.status, refused.code]).toEqual([403, 'AccessDenied']);
    }
    // A presigned URL made with temporary credentials carries the token.
    const presigner = ossClient(server, session, { bucket, addressing: 'path' });
    const res = await fetch(presigner.signatureUrl('hello.txt', { expires: 60 }));
    expect([res.status, await res.text()]).toEqual([200, 'hello']);
    // A token that does not belong to the key is refused.
    const forged = ossClient(server, { ...session, securityToken: `${session.securityToken}x` }, { bucket });
    const bad = await ossFailure(forged.get('hello.txt'));
    expect([bad.status, bad.code]).toEqual([403, 'InvalidSecurityToken']);
    // Deleting the role ends its sessions on the next request.
    await call(root, 'DetachPolicyFromRole', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSReadOnlyAccess',
      RoleName: roleName,
    });
    await call(root, 'DeleteRole', { RoleName: roleName });
    const ended = await ossFailure(ossClient(server, session, { bucket }).get('hello.txt'));
    expect([ended.status, ended.code]).toEqual([403, 'SecurityTokenExpired']);
  });

  /** A V1-signed raw request with the root keys, for what ali-oss never sends. */
  async function signedRaw(method: string, path: string, resource: string, host?: string, body?: Buffer) {
    const date = new Date().toUTCString();
    const sig = createHmac('sha1', keys.accessKeySecret)
      .update(`${method}\n\n\n${date}\n${resource}`)
      .digest('base64');
    return raw(
      server.port,
      method,
      path,
      {
        ...(host ? { host } : {}),
        date,
        authorization: `OSS ${keys.accessKeyId}:${sig}`,
        'content-length': String(body?.length ?? 0),
      },
      body,
    );
  }
  const codeOf = (body: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

  describe('bad input: a clear OSS error, nothing written', () => {
    let bucket: string;
    let c: Oss;
    beforeAll(async () => {
      bucket = uniq('bad');
      c = ossClient(server, keys, { bucket });
      await c.putBucket(bucket);
    });
    const objectsNow = async (): Promise<string[]> =>
      ((await c.list({ 'max-keys': 1000 })).objects ?? []).map((o: { name: string }) => o.name);

    it('a wrong signature, an unknown key', async () => {
      const wrong = ossClient(server, { ...keys, accessKeySecret: `${keys.accessKeySecret}x` }, { bucket });
      const f = await ossFailure(wrong.put('x.txt', Buffer.from('x')));
      expect([f.status, f.code]).toEqual([403, 'SignatureDoesNotMatch']);
      const unknown = ossClient(
        server,
        { accessKeyId: 'LTAI00000000000000000000', accessKeySecret: 'x' },
        { bucket },
      );
      const u = await ossFailure(unknown.put('x.txt', Buffer.from('x')));
      expect([u.status, u.code]).toEqual([403, 'InvalidAccessKeyId']);
      expect(await objectsNow()).toEqual([]);
    });

    it('bucket names the service refuses (ali-oss checks them itself; sent raw)', async () => {
      expect((await ossFailure(c.putBucket('Upper'))).message).toMatch(/bucket/i);
      for (const name of ['ab', 'Upper-Case', '-start', 'end-', 'under_score', 'a'.repeat(64)]) {
        const r = await signedRaw('PUT', `/${name}/`, `/${name}/`);
        expect([name, r.status, codeOf(r.body)]).toEqual([name, 400, 'InvalidBucketName']);
      }
      expect((await c.listBuckets()).buckets.map((b: { name: string }) => b.name)).not.toContain('ab');
    });

    it('a body whose Content-MD5 does not match, and a malformed Content-MD5', async () => {
      const f = await ossFailure(
        c.put('md5.txt', Buffer.from('abc'), { headers: { 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==' } }),
      );
      expect([f.status, f.code]).toEqual([400, 'InvalidDigest']);
      const m = await ossFailure(
        c.put('md5.txt', Buffer.from('abc'), { headers: { 'Content-MD5': 'not-md5' } }),
      );
      expect([m.status, m.code]).toEqual([400, 'InvalidDigest']);
      expect(await objectsNow()).toEqual([]);
    });

    it('object keys with "..", NUL, control characters, a leading slash or 1,024+ bytes', async () => {
      for (const key of ['a'.repeat(1024), 'é'.repeat(512), 'nul\u0000byte', 'tab\u0001x']) {
        const f = await ossFailure(c.put(key, Buffer.from('x')));
        expect([f.status, f.code]).toEqual([400, 'InvalidObjectName']);
      }
      expect((await c.put('a'.repeat(1023), Buffer.from('x'))).res.status).toBe(200);
      await c.delete('a'.repeat(1023));
      // ali-oss (through node's URL) folds "..": such keys only arrive raw, signed by hand.
      // Escapes that are not UTF-8 (a lone byte, an encoded surrogate) name no key either.
      for (const path of ['/a/../b', '/..', '/x/./y', '//lead', '/%FF%FE', '/%ED%A0%80']) {
        const r = await signedRaw(
          'PUT',
          path,
          `/${bucket}${path}`,
          `${bucket}.oss-cn-hangzhou.aliyuncs.com`,
          Buffer.from('x'),
        );
        expect([path, r.status, codeOf(r.body)]).toEqual([path, 400, 'InvalidObjectName']);
      }
      expect(await objectsNow()).toEqual([]);
    });

    it('a request dated outside the 15-minute window', async () => {
      const date = new Date(Date.now() - 20 * 60 * 1000).toUTCString();
      const sig = createHmac('sha1', keys.accessKeySecret)
        .update(`GET\n\n\n${date}\n/${bucket}/`)
        .digest('base64');
      const r = await raw(server.port, 'GET', '/', {
        host: `${bucket}.oss-cn-hangzhou.aliyuncs.com`,
        date,
        authorization: `OSS ${keys.accessKeyId}:${sig}`,
      });
      expect([r.status, /<Code>([^<]+)<\/Code>/.exec(r.body)?.[1]]).toEqual([403, 'RequestTimeTooSkewed']);
    });

    it('a part number out of range, an unknown upload, a streamed body, bad max-keys', async () => {
      const init = await c.initMultipartUpload('p.bin');
      const file = join(work, 'p.bin');
      writeFileSync(file, Buffer.alloc(10));
      const f = await ossFailure(c.uploadPart('p.bin', init.uploadId, 10_001, file, 0, 10));
      expect([f.status, f.code]).toEqual([400, 'InvalidArgument']);
      const u = await ossFailure(c.uploadPart('p.bin', 'NOSUCHUPLOAD', 1, file, 0, 10));
      expect([u.status, u.code]).toEqual([404, 'NoSuchUpload']);
      await c.abortMultipartUpload('p.bin', init.uploadId);
      const k = await ossFailure(c.list({ 'max-keys': 1001 }));
      expect([k.status, k.code]).toEqual([400, 'InvalidArgument']);
      // A stream (chunked, no Content-Length) is accepted.
      const streamed = await c.putStream(
        'streamed.bin',
        Readable.from([Buffer.from('one '), Buffer.from('two')]),
      );
      expect(streamed.res.status).toBe(200);
      expect((await c.get('streamed.bin')).content.toString()).toBe('one two');
      await c.delete('streamed.bin');
    });

    it('nothing is left in the temporary folder', () => {
      expect(readdirSync(join(server.dataDir, 'oss', 'tmp'))).toEqual([]);
    });
  });
});
