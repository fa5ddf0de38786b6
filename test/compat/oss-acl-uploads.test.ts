/**
 * Bucket ACLs and ListMultipartUploads with ali-oss over real HTTP (in-process server, both
 * stores): PutBucketAcl / GetBucketAcl, what public-read and public-read-write grant to anonymous
 * callers and to RAM users without a policy (object reads and writes, never listing or bucket
 * operations), a policy Deny still winning over the ACL, bad ACLs refused with nothing changed;
 * uploads in progress listed by key and upload id, paged with markers, rolled up by delimiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ramClient, type KeyPair, type RamClient } from '../helpers/server.js';
import { STORES, call, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

describe.each(STORES)('OSS bucket ACLs and multipart listings (%s)', (store) => {
  let server: InProcessServer;
  let port: number;
  let ownerKeys: KeyPair;
  let root: RamClient;
  let owner: Oss;
  let bucket: string;
  let nobodyKeys: KeyPair;
  let nobody: string;

  beforeAll(async () => {
    server = await startInProcessServer({ store });
    port = server.server.port;
    ownerKeys = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    root = ramClient(server, ownerKeys);
    bucket = uniq('acl');
    owner = ossClient({ port }, ownerKeys, { bucket });
    await owner.putBucket(bucket);
    await owner.put('docs/readme.txt', Buffer.from('hello'));
    nobody = uniq('nobody');
    await call(root, 'CreateUser', { UserName: nobody });
    const k = (await call(root, 'CreateAccessKey', { UserName: nobody })).AccessKey as {
      AccessKeyId: string;
      AccessKeySecret: string;
    };
    nobodyKeys = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
  });
  afterAll(async () => {
    await server?.stop();
  });

  const anonymous = (method: string, key: string, body?: string) =>
    fetch(`http://127.0.0.1:${port}/${bucket}/${key}`, { method, ...(body ? { body } : {}) });
  const statusOf = async (p: Promise<Response>) => (await p).status;

  it('grants object reads with public-read and writes with public-read-write, nothing more', async () => {
    expect((await owner.getBucketACL(bucket)).acl).toBe('private');
    expect(await statusOf(anonymous('GET', 'docs/readme.txt'))).toBe(403);
    const user = ossClient({ port }, nobodyKeys, { bucket });
    expect((await ossFailure(user.get('docs/readme.txt'))).code).toBe('AccessDenied');

    await owner.putBucketACL(bucket, 'public-read');
    expect((await owner.getBucketACL(bucket)).acl).toBe('public-read');
    const read = await anonymous('GET', 'docs/readme.txt');
    expect([read.status, await read.text()]).toEqual([200, 'hello']);
    expect(await statusOf(anonymous('HEAD', 'docs/readme.txt'))).toBe(200);
    expect((await user.get('docs/readme.txt')).content.toString()).toBe('hello');
    // Reads only: writes, deletes, listing and bucket operations still need a policy.
    expect(await statusOf(anonymous('PUT', 'docs/new.txt', 'x'))).toBe(403);
    expect(await statusOf(anonymous('DELETE', 'docs/readme.txt'))).toBe(403);
    expect(await statusOf(fetch(`http://127.0.0.1:${port}/${bucket}/`))).toBe(403);
    expect((await ossFailure(user.put('docs/new.txt', Buffer.from('x')))).code).toBe('AccessDenied');
    expect((await ossFailure(user.list({ prefix: 'docs/' }))).code).toBe('AccessDenied');
    expect((await ossFailure(user.putBucketACL(bucket, 'public-read-write'))).code).toBe('AccessDenied');

    await owner.putBucketACL(bucket, 'public-read-write');
    expect(await statusOf(anonymous('PUT', 'docs/anon.txt', 'from anyone'))).toBe(200);
    expect((await owner.get('docs/anon.txt')).content.toString()).toBe('from anyone');
    expect(await statusOf(anonymous('DELETE', 'docs/anon.txt'))).toBe(204);
    expect((await ossFailure(user.list({ prefix: 'docs/' }))).code).toBe('AccessDenied');

    // Back to private: the next request is refused again.
    await owner.putBucketACL(bucket, 'private');
    expect(await statusOf(anonymous('GET', 'docs/readme.txt'))).toBe(403);
  });

  it('decides on oss:x-oss-acl and oss:x-oss-forbid-overwrite, the values of those headers', async () => {
    const name = uniq('acl-keys');
    await call(root, 'CreateUser', { UserName: name });
    const k = (await call(root, 'CreateAccessKey', { UserName: name })).AccessKey as {
      AccessKeyId: string;
      AccessKeySecret: string;
    };
    const policy = uniq('acl-keys-policy');
    await call(root, 'CreatePolicy', {
      PolicyName: policy,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['oss:PutBucketAcl', 'oss:PutObject'],
            Resource: [`acs:oss:*:*:${bucket}`, `acs:oss:*:*:${bucket}/*`],
          },
          {
            Effect: 'Deny',
            Action: 'oss:PutBucketAcl',
            Resource: '*',
            Condition: { StringEquals: { 'oss:x-oss-acl': 'public-read-write' } },
          },
          {
            Effect: 'Deny',
            Action: 'oss:PutObject',
            Resource: '*',
            Condition: { StringEquals: { 'oss:x-oss-forbid-overwrite': 'false' } },
          },
        ],
      }),
    });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: policy, UserName: name });
    const user = ossClient(
      { port },
      { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret },
      { bucket },
    );
    expect((await ossFailure(user.putBucketACL(bucket, 'public-read-write'))).code).toBe('AccessDenied');
    expect((await owner.getBucketACL(bucket)).acl).toBe('private');
    await user.putBucketACL(bucket, 'private');
    const put = (headers?: Record<string, string>) =>
      user.put('docs/keys.txt', Buffer.from('x'), headers ? { headers } : {});
    expect((await ossFailure(put({ 'x-oss-forbid-overwrite': 'false' }))).code).toBe('AccessDenied');
    await put({ 'x-oss-forbid-overwrite': 'true' });
    // A request without the header has no value of the key: the Deny's StringEquals does not match.
    await owner.delete('docs/keys.txt');
    await put();
  });

  it('lets a policy Deny win over the ACL', async () => {
    await owner.putBucketACL(bucket, 'public-read');
    await owner.putBucketPolicy(bucket, {
      Version: '1',
      Statement: [
        {
          Effect: 'Deny',
          Principal: ['*'],
          Action: ['oss:GetObject'],
          Resource: [`acs:oss:*:${server.accountId}:${bucket}/docs/*`],
        },
      ],
    });
    expect(await statusOf(anonymous('GET', 'docs/readme.txt'))).toBe(403);
    const user = ossClient({ port }, nobodyKeys, { bucket });
    expect((await ossFailure(user.get('docs/readme.txt'))).code).toBe('AccessDenied');
    await owner.deleteBucketPolicy(bucket);
    expect(await statusOf(anonymous('GET', 'docs/readme.txt'))).toBe(200);

    // A RAM Deny on the user holds too.
    await call(root, 'CreatePolicy', {
      PolicyName: `${nobody}-deny`,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'oss:GetObject', Resource: '*' }],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: `${nobody}-deny`,
      UserName: nobody,
    });
    expect((await ossFailure(user.get('docs/readme.txt'))).code).toBe('AccessDenied');
    await owner.putBucketACL(bucket, 'private');
  });

  it('copies from a public-read bucket into a bucket a policy lets the caller write', async () => {
    const source = uniq('pub');
    const src = ossClient({ port }, ownerKeys, { bucket: source });
    await src.putBucket(source);
    await src.put('shared.txt', Buffer.from('shared'));
    const dest = uniq('own');
    const destOwner = ossClient({ port }, ownerKeys, { bucket: dest });
    await destOwner.putBucket(dest);
    const writer = uniq('writer');
    await call(root, 'CreateUser', { UserName: writer });
    const k = (await call(root, 'CreateAccessKey', { UserName: writer })).AccessKey as {
      AccessKeyId: string;
      AccessKeySecret: string;
    };
    await call(root, 'CreatePolicy', {
      PolicyName: `${writer}-put`,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:PutObject', Resource: `acs:oss:*:*:${dest}/*` }],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: `${writer}-put`,
      UserName: writer,
    });
    const w = ossClient(
      { port },
      { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret },
      { bucket: dest },
    );
    // The source private: the copy is refused and nothing is written.
    expect((await ossFailure(w.copy('mine.txt', `/${source}/shared.txt`))).code).toBe('AccessDenied');
    await src.putBucketACL(source, 'public-read');
    await w.copy('mine.txt', `/${source}/shared.txt`);
    expect((await destOwner.get('mine.txt')).content.toString()).toBe('shared');
    // The ACL grants the read only: a copy into a bucket the caller may not write stays refused.
    const elsewhere = ossClient(
      { port },
      { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret },
      { bucket: source },
    );
    expect((await ossFailure(elsewhere.copy('copy.txt', `/${source}/shared.txt`))).code).toBe('AccessDenied');
    await expect(src.head('copy.txt')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a bad ACL and changes nothing', async () => {
    await owner.putBucketACL(bucket, 'public-read');
    const bad = await ossFailure(owner.putBucketACL(bucket, 'public'));
    expect([bad.status, bad.code]).toEqual([400, 'InvalidArgument']);
    expect((await owner.getBucketACL(bucket)).acl).toBe('public-read');
    const created = uniq('badacl');
    const refused = await ossFailure(owner.putBucket(created, { acl: 'everyone' }));
    expect(refused.code).toBe('InvalidArgument');
    expect((await ossFailure(owner.getBucketInfo(created))).code).toBe('NoSuchBucket');
    await owner.putBucketACL(bucket, 'private');
  });

  it('lists uploads in progress by key and upload id, with paging and a delimiter', async () => {
    const up = ossClient({ port }, ownerKeys, { bucket: uniq('uploads') });
    const name = up.options.bucket as string;
    await up.putBucket(name);
    const keys = ['a/1.bin', 'a/2.bin', 'b.bin', 'b.bin', 'c/d/e.bin', 'z.bin'];
    const ids: { key: string; id: string }[] = [];
    for (const key of keys) ids.push({ key, id: (await up.initMultipartUpload(key)).uploadId as string });
    const expected = [...ids].sort((x, y) =>
      x.key === y.key ? (x.id < y.id ? -1 : 1) : x.key < y.key ? -1 : 1,
    );

    const all = await up.listUploads({});
    expect(
      all.uploads.map((u: { name: string; uploadId: string }) => ({ key: u.name, id: u.uploadId })),
    ).toEqual(expected);
    expect(all.isTruncated).toBe(false);

    // Pages of two, following the markers, see every upload once.
    const seen: { key: string; id: string }[] = [];
    let marker: Record<string, string> = {};
    for (let i = 0; i < 10; i++) {
      const page = await up.listUploads({ 'max-uploads': 2, ...marker });
      seen.push(
        ...page.uploads.map((u: { name: string; uploadId: string }) => ({ key: u.name, id: u.uploadId })),
      );
      if (!page.isTruncated) break;
      marker = { 'key-marker': page.nextKeyMarker, 'upload-id-marker': page.nextUploadIdMarker };
    }
    expect(seen).toEqual(expected);

    // A prefix, and a delimiter rolling keys up into common prefixes.
    const underA = await up.listUploads({ prefix: 'a/' });
    expect(underA.uploads.map((u: { name: string }) => u.name)).toEqual(['a/1.bin', 'a/2.bin']);
    const rolled = await rawListUploads(up, { delimiter: '/' });
    expect(rolled.prefixes).toEqual(['a/', 'c/']);
    expect(rolled.keys).toEqual(['b.bin', 'b.bin', 'z.bin']);
    // Paging across a common prefix does not list what is under it again.
    const first = await rawListUploads(up, { delimiter: '/', 'max-uploads': '1' });
    expect([first.prefixes, first.keys, first.next]).toEqual([['a/'], [], 'a/']);
    const second = await rawListUploads(up, { delimiter: '/', 'max-uploads': '1', 'key-marker': 'a/' });
    expect(second.keys).toEqual(['b.bin']);

    // Completed and aborted uploads leave the listing.
    await up.abortMultipartUpload('z.bin', ids[5]!.id);
    const after = await up.listUploads({ prefix: 'z' });
    expect(after.uploads).toEqual([]);

    // A user without oss:ListMultipartUploads is refused.
    const user = ossClient({ port }, nobodyKeys, { bucket: name });
    expect((await ossFailure(user.listUploads({}))).code).toBe('AccessDenied');
    const badMax = await ossFailure(up.listUploads({ 'max-uploads': 5000 }));
    expect(badMax.code).toBe('InvalidArgument');
  });
});

/** ListMultipartUploads through ali-oss's own signed request, reading the common prefixes it does not return. */
async function rawListUploads(
  client: Oss,
  query: Record<string, string>,
): Promise<{ keys: string[]; prefixes: string[]; next: string }> {
  const params = client._objectRequestParams('GET', '', { subres: 'uploads' });
  params.query = query;
  params.xmlResponse = true;
  params.successStatuses = [200];
  const { data } = (await client.request(params)) as { data: Record<string, unknown> };
  const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  return {
    keys: list(data.Upload as { Key: string } | { Key: string }[] | undefined).map((u) => u.Key),
    prefixes: list(data.CommonPrefixes as { Prefix: string } | { Prefix: string }[] | undefined).map(
      (p) => p.Prefix,
    ),
    next: String(data.NextKeyMarker ?? ''),
  };
}
