/**
 * Bucket policies with ali-oss over real HTTP: PutBucketPolicy / GetBucketPolicy /
 * DeleteBucketPolicy, anonymous reads only where a policy grants them, cross-account reads
 * decided by the bucket policy alone, a RAM user of the owner's account allowed by the
 * bucket policy, and the owner bound by a "*" Deny with a Condition. A second account exists
 * only in-process, so these run on the in-process server (both stores).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ramClient, type KeyPair, type RamClient } from '../helpers/server.js';
import { STORES, call, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

describe.each(STORES)('OSS bucket policies (%s)', (store) => {
  let server: InProcessServer;
  let port: number;
  let ownerKeys: KeyPair;
  let root: RamClient;
  let owner: Oss;
  let bucket: string;
  let other: { accountId: string; keys: KeyPair; root: RamClient };

  beforeAll(async () => {
    server = await startInProcessServer({ store });
    port = server.server.port;
    ownerKeys = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    root = ramClient(server, ownerKeys);
    bucket = uniq('policy');
    owner = ossClient({ port }, ownerKeys, { bucket });
    await owner.putBucket(bucket);
    for (const key of ['public/readme.txt', 'private/secret.txt']) await owner.put(key, Buffer.from(key));
    const created = await server.deployment.domain.accounts.create({ rootPassword: 'Other#Account-2026!' });
    const key = await server.deployment.domain.accounts.createRootAccessKey(created.accountId);
    const otherKeys = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
    other = { accountId: created.accountId, keys: otherKeys, root: ramClient(server, otherKeys) };
  });
  afterAll(async () => {
    await server?.stop();
  });

  const anonymous = (method: string, key: string, body?: string) =>
    fetch(`http://127.0.0.1:${port}/${bucket}/${key}`, { method, ...(body ? { body } : {}) });
  const codeOf = async (res: Response): Promise<string | undefined> =>
    /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

  const setPolicy = (statements: object[]) =>
    owner.putBucketPolicy(bucket, { Version: '1', Statement: statements });

  it('anonymous access only where the bucket policy grants it', async () => {
    let res = await anonymous('GET', 'public/readme.txt');
    expect([res.status, await codeOf(res)]).toEqual([403, 'AccessDenied']);

    await setPolicy([
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/public/*`],
      },
    ]);
    expect((await owner.getBucketPolicy(bucket)).policy).toMatchObject({ Statement: [{ Principal: ['*'] }] });
    res = await anonymous('GET', 'public/readme.txt');
    expect([res.status, await res.text()]).toEqual([200, 'public/readme.txt']);
    res = await anonymous('GET', 'private/secret.txt');
    expect([res.status, await codeOf(res)]).toEqual([403, 'AccessDenied']);
    res = await anonymous('PUT', 'public/new.txt', 'x');
    expect([res.status, await codeOf(res)]).toEqual([403, 'AccessDenied']);
    res = await anonymous('DELETE', 'public/readme.txt');
    expect(res.status).toBe(403);
    // An unsigned ListBuckets is never allowed.
    const list = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { host: '.oss-cn-hangzhou.aliyuncs.com' } },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect([list.status, /<Code>([^<]+)<\/Code>/.exec(list.body)?.[1]]).toEqual([403, 'AccessDenied']);

    // Deleting the policy holds on the next request.
    await owner.deleteBucketPolicy(bucket);
    res = await anonymous('GET', 'public/readme.txt');
    expect(res.status).toBe(403);
    // ali-oss answers a missing policy with { policy: null, status: 404 } instead of throwing.
    const none = await owner.getBucketPolicy(bucket);
    expect([none.status, none.policy]).toEqual([404, null]);
    expect(none.res.headers['x-oss-ec']).toMatch(/^\d{4}-\d{8}$/);
  });

  it('cross-account: the bucket policy alone decides; the caller’s own policies do not grant it', async () => {
    const userName = uniq('partner');
    await call(other.root, 'CreateUser', { UserName: userName });
    const userId = (await call(other.root, 'GetUser', { UserName: userName })).User.UserId as string;
    const created = (await call(other.root, 'CreateAccessKey', { UserName: userName })).AccessKey;
    const partnerKeys = { accessKeyId: created.AccessKeyId, accessKeySecret: created.AccessKeySecret };
    await call(other.root, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSFullAccess',
      UserName: userName,
    });
    const partner = ossClient({ port }, partnerKeys, { bucket, v4: true });
    const otherRoot = ossClient({ port }, other.keys, { bucket });

    // oss:* on "*" in its own account does not reach another account's bucket.
    expect((await ossFailure(partner.get('public/readme.txt'))).code).toBe('AccessDenied');
    expect((await ossFailure(otherRoot.get('public/readme.txt'))).code).toBe('AccessDenied');

    await setPolicy([
      {
        Effect: 'Allow',
        Principal: [userId],
        Action: ['oss:GetObject', 'oss:ListObjects'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}`, `acs:oss:*:${server.accountId}:${bucket}/*`],
      },
    ]);
    expect((await partner.get('private/secret.txt')).content.toString()).toBe('private/secret.txt');
    expect((await partner.list({ prefix: 'public/' })).objects.map((o: { name: string }) => o.name)).toEqual([
      'public/readme.txt',
    ]);
    expect((await ossFailure(partner.put('public/x.txt', Buffer.from('x')))).code).toBe('AccessDenied');
    // The other account's root is not that user.
    expect((await ossFailure(otherRoot.get('public/readme.txt'))).code).toBe('AccessDenied');

    // Naming the account grants every principal of it, its root included.
    await setPolicy([
      {
        Effect: 'Allow',
        Principal: [other.accountId],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/public/*`],
      },
    ]);
    expect((await otherRoot.get('public/readme.txt')).res.status).toBe(200);
    expect((await ossFailure(otherRoot.get('private/secret.txt'))).code).toBe('AccessDenied');
    await owner.deleteBucketPolicy(bucket);
    expect((await ossFailure(otherRoot.get('public/readme.txt'))).code).toBe('AccessDenied');
  });

  it('same account: a RAM user without policies is allowed by the bucket policy; an explicit Deny wins', async () => {
    const userName = uniq('local');
    await call(root, 'CreateUser', { UserName: userName });
    const userId = (await call(root, 'GetUser', { UserName: userName })).User.UserId as string;
    const k = (await call(root, 'CreateAccessKey', { UserName: userName })).AccessKey;
    const local = ossClient(
      { port },
      { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret },
      { bucket },
    );
    expect((await ossFailure(local.get('public/readme.txt'))).code).toBe('AccessDenied');
    await setPolicy([
      {
        Effect: 'Allow',
        Principal: [userId],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/*`],
      },
      {
        Effect: 'Deny',
        Principal: [userId],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/private/*`],
      },
    ]);
    expect((await local.get('public/readme.txt')).res.status).toBe(200);
    const denied = await ossFailure(local.get('private/secret.txt'));
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toContain('ExplicitDeny');
    await owner.deleteBucketPolicy(bucket);
  });

  it('the owner is bound by a "*" Deny with a Condition, not by one without', async () => {
    await setPolicy([
      {
        Effect: 'Deny',
        Principal: ['*'],
        Action: ['oss:DeleteObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/*`],
        Condition: { Bool: { 'acs:SecureTransport': ['false'] } },
      },
      {
        Effect: 'Deny',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${server.accountId}:${bucket}/*`],
      },
    ]);
    const refused = await ossFailure(owner.delete('public/readme.txt'));
    expect([refused.status, refused.code]).toEqual([403, 'AccessDenied']);
    expect((await owner.get('public/readme.txt')).res.status).toBe(200);
    await owner.deleteBucketPolicy(bucket);
    expect((await owner.head('public/readme.txt')).status).toBe(200);
  });

  it('refuses a malformed bucket policy and changes nothing', async () => {
    for (const doc of [
      { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['*'] }] },
      {
        Version: '1',
        Statement: [{ Effect: 'Maybe', Principal: ['*'], Action: ['oss:GetObject'], Resource: ['*'] }],
      },
    ]) {
      const f = await ossFailure(owner.putBucketPolicy(bucket, doc));
      expect([f.status, f.code]).toEqual([400, 'MalformedPolicy']);
    }
    expect((await owner.getBucketPolicy(bucket)).status).toBe(404);
  });
});
