/**
 * Sub-resources the data plane does not serve, through the official ali-oss client against a
 * real server process: object ACLs and tagging, bucket CORS, lifecycle and tagging,
 * UploadPartCopy answer NotImplemented and change nothing (they used to fall through to
 * PutObject, DeleteObject, GetObject or DeleteBucket); UploadPart without a valid part number
 * is InvalidArgument; an unauthorized caller learns nothing about objects from it; the
 * ordinary parameters of served operations keep working. Both stores.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { STORES, call, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

const CASES = [
  { label: 'V1, Host addressing', v4: false, addressing: 'ip' as const },
  { label: 'V4, path addressing', v4: true, addressing: 'path' as const },
];

const BYTES = Buffer.from('the original bytes');

/** status and code of a failed ali-oss call. */
const failure = async (p: Promise<unknown>): Promise<[number, string]> => {
  const f = await ossFailure(p);
  return [f.status, f.code];
};

describe.each(STORES)('OSS sub-resources that are not served (%s)', (store) => {
  let server: TestServer;
  let keys: KeyPair;
  let work: string;

  beforeAll(async () => {
    server = await startServer({ store });
    keys = rootKeys(server);
    work = mkdtempSync(join(tmpdir(), 'rampart-oss-sub-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe.each(CASES)('$label', ({ v4, addressing }) => {
    let bucket: string;
    let c: Oss;
    beforeAll(async () => {
      bucket = uniq('sub');
      c = ossClient(server, keys, { bucket, v4, addressing });
      await c.putBucket(bucket);
      await c.put('dir/a.txt', BYTES);
      await c.put('dir/b.txt', Buffer.from('b'));
    });

    const names = async (): Promise<string[]> =>
      ((await c.list({ 'max-keys': 1000 })).objects ?? []).map((o: { name: string }) => o.name).sort();
    const unchanged = async (): Promise<void> => {
      expect((await c.get('dir/a.txt')).content.toString()).toBe(BYTES.toString());
      expect(await names()).toEqual(['dir/a.txt', 'dir/b.txt']);
    };

    it('object ACLs and tagging: NotImplemented, the object untouched', async () => {
      const etag = (await c.head('dir/a.txt')).res.headers.etag as string;
      expect(await failure(c.putACL('dir/a.txt', 'public-read'))).toEqual([501, 'NotImplemented']);
      await unchanged();
      expect(await failure(c.getACL('dir/a.txt'))).toEqual([501, 'NotImplemented']);
      expect(await failure(c.putObjectTagging('dir/a.txt', { team: 'x' }))).toEqual([501, 'NotImplemented']);
      await unchanged();
      expect(await failure(c.getObjectTagging('dir/a.txt'))).toEqual([501, 'NotImplemented']);
      expect(await failure(c.deleteObjectTagging('dir/a.txt'))).toEqual([501, 'NotImplemented']);
      await unchanged();
      expect((await c.head('dir/a.txt')).res.headers.etag).toBe(etag);
      // A served sub-resource with a method that does not serve it changes nothing either.
      expect(
        await failure(
          c.request({
            ...c._objectRequestParams('DELETE', 'dir/a.txt', { subres: { uploads: '' } }),
            successStatuses: [204],
          }),
        ),
      ).toEqual([501, 'NotImplemented']);
      await unchanged();
    });

    it('bucket CORS, lifecycle and tagging: NotImplemented, the bucket and its objects kept', async () => {
      expect(await failure(c.deleteBucketCORS(bucket))).toEqual([501, 'NotImplemented']);
      expect(await failure(c.deleteBucketLifecycle(bucket))).toEqual([501, 'NotImplemented']);
      expect(await failure(c.deleteBucketTags(bucket))).toEqual([501, 'NotImplemented']);
      expect(await failure(c.putBucketCORS(bucket, [{ allowedOrigin: '*', allowedMethod: 'GET' }]))).toEqual([
        501,
        'NotImplemented',
      ]);
      expect(await failure(c.getBucketCORS(bucket))).toEqual([501, 'NotImplemented']);
      expect((await c.getBucketInfo(bucket)).bucket.Name).toBe(bucket);
      await unchanged();
      // An empty bucket (which DeleteBucket would remove) is kept too.
      const empty = uniq('subempty');
      await c.putBucket(empty);
      for (const remove of [c.deleteBucketCORS, c.deleteBucketLifecycle, c.deleteBucketTags]) {
        expect(await failure(remove.call(c, empty))).toEqual([501, 'NotImplemented']);
      }
      // A sub-resource no list here names (OSS has more), given bare: NotImplemented too, never the
      // plain operation (DeleteBucket, DeleteObject). Signed by hand the way the server signs,
      // without the name it does not know, so the request reaches the operation table.
      for (const [method, path] of [
        ['DELETE', `/${empty}/?publicAccessBlock`],
        ['PUT', `/${empty}/?publicAccessBlock`],
        ['DELETE', `/${bucket}/dir/a.txt?objectWorm`],
      ] as const) {
        const resource = path.slice(0, path.indexOf('?'));
        const date = new Date().toUTCString();
        const signature = createHmac('sha1', keys.accessKeySecret)
          .update(`${method}\n\n\n${date}\n${resource}`)
          .digest('base64');
        const r = await fetch(`http://127.0.0.1:${server.port}${path}`, {
          method,
          headers: { date, authorization: `OSS ${keys.accessKeyId}:${signature}` },
        });
        expect([path, r.status, /<Code>([^<]+)<\/Code>/.exec(await r.text())?.[1]]).toEqual([
          path,
          501,
          'NotImplemented',
        ]);
      }
      await unchanged();
      expect((await c.getBucketInfo(empty)).bucket.Name).toBe(empty);
      await c.deleteBucket(empty);
      // An unserved sub-resource on a bucket that does not exist: NoSuchBucket, as for everything.
      expect(await failure(c.deleteBucketCORS(uniq('gone')))).toEqual([404, 'NoSuchBucket']);
    });

    it('CopyObject from a version of its source: NotImplemented, nothing written', async () => {
      expect(await failure(c.copy('dir/copy.txt', 'dir/b.txt', { versionId: 'CAEQ-version' }))).toEqual([
        501,
        'NotImplemented',
      ]);
      await unchanged();
      await c.copy('dir/copy.txt', 'dir/b.txt');
      expect((await c.get('dir/copy.txt')).content.toString()).toBe('b');
      await c.delete('dir/copy.txt');
    });

    it('UploadPartCopy: NotImplemented, no part written', async () => {
      const init = await c.initMultipartUpload('copy.bin');
      const f = await failure(
        c.uploadPartCopy('copy.bin', init.uploadId, 1, `0-${BYTES.length - 1}`, {
          sourceKey: 'dir/a.txt',
          sourceBucketName: bucket,
        }),
      );
      expect(f).toEqual([501, 'NotImplemented']);
      expect((await c.listParts('copy.bin', init.uploadId)).parts ?? []).toEqual([]);
      await c.abortMultipartUpload('copy.bin', init.uploadId);
      await unchanged();
    });

    it('UploadPart without a valid part number: InvalidArgument, no part written', async () => {
      const init = await c.initMultipartUpload('part.bin');
      const uploadPart = (subres: Record<string, string>) =>
        c.request({
          ...c._objectRequestParams('PUT', 'part.bin', { subres }),
          content: Buffer.from('part bytes'),
          successStatuses: [200],
        });
      const badNumbers: Record<string, string>[] = [
        { uploadId: init.uploadId },
        { partNumber: '', uploadId: init.uploadId },
        { partNumber: 'one', uploadId: init.uploadId },
        { partNumber: '-1', uploadId: init.uploadId },
        { partNumber: '0', uploadId: init.uploadId },
        { partNumber: '10001', uploadId: init.uploadId },
      ];
      for (const subres of badNumbers) {
        expect([subres, await failure(uploadPart(subres))]).toEqual([subres, [400, 'InvalidArgument']]);
      }
      expect((await c.listParts('part.bin', init.uploadId)).parts ?? []).toEqual([]);
      // A good part number still works.
      const file = join(work, `part-${v4 ? 4 : 1}.bin`);
      writeFileSync(file, Buffer.from('part bytes'));
      await c.uploadPart('part.bin', init.uploadId, 1, file, 0, 10);
      // ali-oss hands a single part as an object, several as a list.
      const parts = [(await c.listParts('part.bin', init.uploadId)).parts].flat() as { PartNumber: string }[];
      expect(parts.map((p) => p.PartNumber)).toEqual(['1']);
      await c.abortMultipartUpload('part.bin', init.uploadId);
      await unchanged();
    });

    it('the ordinary parameters of served operations keep working', async () => {
      const got = await c.get('dir/a.txt', { subres: { 'response-content-type': 'text/x-test' } });
      expect(got.res.headers['content-type']).toBe('text/x-test');
      expect((await c.getObjectMeta('dir/a.txt')).res.headers['content-length']).toBe(String(BYTES.length));
      const page = await c.listV2({ 'max-keys': 1 });
      const next = await c.listV2({ 'max-keys': 1, 'continuation-token': page.nextContinuationToken });
      expect([page.objects[0].name, next.objects[0].name]).toEqual(['dir/a.txt', 'dir/b.txt']);
      const rolled = await c.list({ prefix: '', delimiter: '/' });
      expect(rolled.prefixes).toEqual(['dir/']);
      expect((await c.getBucketACL(bucket)).acl).toBe('private');
      if (addressing === 'path') {
        // Presigned URLs need a host name endpoint: the path form.
        const signed = c.signatureUrl('dir/a.txt', {
          expires: 60,
          response: { 'content-type': 'text/x-url' },
        });
        const r = await fetch(signed);
        expect([r.status, r.headers.get('content-type'), await r.text()]).toEqual([
          200,
          'text/x-url',
          BYTES.toString(),
        ]);
      }
    });
  });

  it('answers an unauthorized caller the same whether the object exists, and refuses its served operations', async () => {
    const bucket = uniq('subauth');
    const owner = ossClient(server, keys, { bucket });
    await owner.putBucket(bucket);
    await owner.put('kept.txt', BYTES);
    const root = ramClient(server);
    const userName = uniq('nobody');
    await call(root, 'CreateUser', { UserName: userName });
    const k = (await call(root, 'CreateAccessKey', { UserName: userName })).AccessKey as {
      AccessKeyId: string;
      AccessKeySecret: string;
    };
    const user = ossClient(
      server,
      { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret },
      { bucket },
    );
    const anonymousDelete = (key: string) =>
      fetch(`http://127.0.0.1:${server.port}/${bucket}/${key}?tagging`, { method: 'DELETE' });
    for (const key of ['kept.txt', 'missing.txt']) {
      expect(await failure(user.deleteObjectTagging(key))).toEqual([501, 'NotImplemented']);
      expect(await failure(user.getObjectTagging(key))).toEqual([501, 'NotImplemented']);
      expect((await anonymousDelete(key)).status).toBe(501);
    }
    expect(await failure(user.deleteBucketCORS(bucket))).toEqual([501, 'NotImplemented']);
    // Served operations are authorized before their arguments are checked.
    const init = await owner.initMultipartUpload('p.bin');
    const bad = user.request({
      ...user._objectRequestParams('PUT', 'p.bin', { subres: { uploadId: init.uploadId } }),
      content: Buffer.from('x'),
      successStatuses: [200],
    });
    expect(await failure(bad)).toEqual([403, 'AccessDenied']);
    expect(await failure(user.delete('kept.txt'))).toEqual([403, 'AccessDenied']);
    await owner.abortMultipartUpload('p.bin', init.uploadId);
    expect((await owner.get('kept.txt')).content.toString()).toBe(BYTES.toString());
    expect((await owner.getBucketInfo(bucket)).bucket.Name).toBe(bucket);
  });
});
