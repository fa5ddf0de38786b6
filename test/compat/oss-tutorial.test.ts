/**
 * The RAM/OSS tutorial end to end with the official ali-oss client against a real server:
 * the seed lab's read-only user (reference/oss-data-plane.md section 7) and the tutorial's
 * folder policies for Anne and Leo (section 8), on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';
import { STORES, call, uniq } from './ram-helpers.js';
import { encodedDiagnostic, ossClient, ossFailure, type Oss } from './oss-helpers.js';

const BUCKET_OBJECTS = [
  'oss-dg.pdf',
  'Development/Alibaba Cloud.pdf',
  'Development/ProjectA.docx',
  'Development/ProjectB.docx',
  'Marketing/data2016.xlsx',
  'Marketing/data2017.xlsx',
  'Private/2017/images.zip',
  'Private/2017/promote.pptx',
];

async function userWithKey(root: RamClient, userName: string): Promise<KeyPair> {
  await call(root, 'CreateUser', { UserName: userName });
  const k = (await call(root, 'CreateAccessKey', { UserName: userName })).AccessKey;
  return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
}

async function customPolicy(root: RamClient, name: string, statements: object[]): Promise<void> {
  await call(root, 'CreatePolicy', {
    PolicyName: name,
    PolicyDocument: JSON.stringify({ Version: '1', Statement: statements }),
  });
}

const names = (list: { objects?: { name: string }[]; prefixes?: string[] | null }) => ({
  objects: (list.objects ?? []).map((o) => o.name),
  prefixes: list.prefixes ?? [],
});

describe.each(STORES)('OSS tutorial with ali-oss (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let bucket: string;
  let owner: Oss;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    bucket = 'ramtest-bucket';
    owner = ossClient(server, rootKeys(server), { bucket });
    await owner.putBucket(bucket);
    for (const key of [...BUCKET_OBJECTS, 'hello.txt']) {
      await owner.put(key, Buffer.from(`contents of ${key}`));
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('seed lab: a user with AliyunOSSReadOnlyAccess lists and reads, and may not upload or delete', async () => {
    const userName = uniq('reader');
    const keys = await userWithKey(root, userName);
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSReadOnlyAccess',
      UserName: userName,
    });
    for (const v4 of [false, true]) {
      const reader = ossClient(server, keys, { bucket, v4 });
      expect((await reader.listBuckets()).buckets.map((b: { name: string }) => b.name)).toEqual([bucket]);
      const listed = await reader.list({ 'max-keys': 100 });
      expect(listed.objects.map((o: { name: string }) => o.name)).toContain('hello.txt');
      expect((await reader.get('hello.txt')).content.toString()).toBe('contents of hello.txt');

      const put = await ossFailure(reader.put('hello.txt', Buffer.from('overwritten')));
      expect([put.status, put.code]).toEqual([403, 'AccessDenied']);
      expect(put.message).toContain('oss:PutObject');
      const del = await ossFailure(reader.delete('hello.txt'));
      expect([del.status, del.code]).toEqual([403, 'AccessDenied']);
      expect(del.message).toContain('oss:DeleteObject');

      // The reason decodes as for the API: the action, the object's ARN, who asked.
      const decoded = (
        await call(root, 'DecodeDiagnosticMessage', {
          EncodedDiagnosticMessage: encodedDiagnostic(put.message),
        })
      ).DecodedDiagnosticMessage;
      expect(decoded).toMatchObject({
        ExplicitDeny: false,
        AuthAction: 'oss:PutObject',
        AuthResource: `acs:oss:*:${server.accountId}:${bucket}/hello.txt`,
        AuthPrincipal: { AuthPrincipalType: 'SubUser', AuthPrincipalOwnerId: server.accountId },
      });
    }
    // Nothing changed.
    expect((await owner.get('hello.txt')).content.toString()).toBe('contents of hello.txt');
  });

  it('the tutorial: Staff lists the root, Anne reads Development/, Leo reads Marketing/, nobody reads Private/', async () => {
    const staff = uniq('Staff');
    const staffPolicy = uniq('staff-oss');
    await call(root, 'CreateGroup', { GroupName: staff });
    await customPolicy(root, staffPolicy, [
      {
        Effect: 'Allow',
        Action: ['oss:ListBuckets', 'oss:GetBucketStat', 'oss:GetBucketInfo', 'oss:GetBucketAcl'],
        Resource: ['acs:oss:*:*:*'],
      },
      {
        Effect: 'Allow',
        Action: ['oss:ListObjects'],
        Resource: [`acs:oss:*:*:${bucket}`],
        Condition: { StringLike: { 'oss:Prefix': [''], 'oss:Delimiter': ['/'] } },
      },
    ]);
    await call(root, 'AttachPolicyToGroup', {
      PolicyType: 'Custom',
      PolicyName: staffPolicy,
      GroupName: staff,
    });

    const folderPolicy = async (folder: string): Promise<string> => {
      const name = uniq(`${folder.toLowerCase()}-oss`);
      await customPolicy(root, name, [
        {
          Effect: 'Allow',
          Action: ['oss:ListObjects'],
          Resource: [`acs:oss:*:*:${bucket}`],
          Condition: { StringLike: { 'oss:Prefix': [`${folder}/*`] } },
        },
        { Effect: 'Allow', Action: ['oss:GetObject'], Resource: [`acs:oss:*:*:${bucket}/${folder}/*`] },
      ]);
      return name;
    };
    const anneName = uniq('Anne');
    const leoName = uniq('Leo');
    const anneKeys = await userWithKey(root, anneName);
    const leoKeys = await userWithKey(root, leoName);
    const annePolicy = await folderPolicy('Development');
    const leoPolicy = await folderPolicy('Marketing');
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: annePolicy,
      UserName: anneName,
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: leoPolicy,
      UserName: leoName,
    });
    for (const u of [anneName, leoName])
      await call(root, 'AddUserToGroup', { GroupName: staff, UserName: u });

    const anne = ossClient(server, anneKeys, { bucket });
    const leo = ossClient(server, leoKeys, { bucket, addressing: 'path', v4: true });

    expect((await anne.listBuckets()).buckets.map((b: { name: string }) => b.name)).toContain(bucket);
    expect(names(await anne.list({ prefix: '', delimiter: '/' }))).toEqual({
      objects: ['hello.txt', 'oss-dg.pdf'],
      prefixes: ['Development/', 'Marketing/', 'Private/'],
    });
    expect(names(await anne.list({ prefix: 'Development/', delimiter: '/' }))).toEqual({
      objects: ['Development/Alibaba Cloud.pdf', 'Development/ProjectA.docx', 'Development/ProjectB.docx'],
      prefixes: [],
    });
    const marketing = await ossFailure(anne.list({ prefix: 'Marketing/', delimiter: '/' }));
    expect([marketing.status, marketing.code]).toEqual([403, 'AccessDenied']);
    expect((await anne.get('Development/ProjectA.docx')).content.toString()).toBe(
      'contents of Development/ProjectA.docx',
    );
    for (const key of ['Private/2017/images.zip', 'Marketing/data2016.xlsx']) {
      const refused = await ossFailure(anne.get(key));
      expect([refused.status, refused.code]).toEqual([403, 'AccessDenied']);
    }
    const put = await ossFailure(anne.put('Development/new.docx', Buffer.from('x')));
    expect([put.status, put.code]).toEqual([403, 'AccessDenied']);
    // The listing conditions: no delimiter at the root is not what the Staff policy allows.
    expect((await ossFailure(anne.list({ prefix: '' }))).code).toBe('AccessDenied');

    // Leo, path-style with V4 signatures: the mirror image.
    expect(names(await leo.listV2({ prefix: 'Marketing/', delimiter: '/' })).objects).toEqual([
      'Marketing/data2016.xlsx',
      'Marketing/data2017.xlsx',
    ]);
    expect((await leo.get('Marketing/data2017.xlsx')).content.toString()).toBe(
      'contents of Marketing/data2017.xlsx',
    );
    expect((await ossFailure(leo.get('Development/ProjectA.docx'))).code).toBe('AccessDenied');
    expect((await ossFailure(leo.listV2({ prefix: 'Development/', delimiter: '/' }))).code).toBe(
      'AccessDenied',
    );

    // A permission change holds on the very next request, both ways.
    await call(root, 'DetachPolicyFromUser', {
      PolicyType: 'Custom',
      PolicyName: annePolicy,
      UserName: anneName,
    });
    expect((await ossFailure(anne.get('Development/ProjectA.docx'))).code).toBe('AccessDenied');
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: annePolicy,
      UserName: anneName,
    });
    expect((await anne.get('Development/ProjectA.docx')).res.status).toBe(200);
    await call(root, 'RemoveUserFromGroup', { GroupName: staff, UserName: anneName });
    expect((await ossFailure(anne.list({ prefix: '', delimiter: '/' }))).code).toBe('AccessDenied');
    // A disabled key is refused at once too.
    await call(root, 'UpdateAccessKey', {
      UserName: anneName,
      UserAccessKeyId: anneKeys.accessKeyId,
      Status: 'Inactive',
    });
    const disabled = await ossFailure(anne.get('Development/ProjectA.docx'));
    expect([disabled.status, disabled.code]).toEqual([403, 'InvalidAccessKeyId']);
  });
});
