/**
 * The authorization point (`POST /authorize`) and the exported node:http middleware, against
 * a real server process: decisions for principals given by ARN, by AccessKey and by a request
 * the principal signed (ali-oss, unchanged, pointed at another service); the same caches and
 * invalidation as the API (a permission change holds on the next request); and refusals.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequestV3 } from '../../src/auth/signature-v3.js';
import { rampartAuthorization } from '../../src/authz/middleware.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import {
  popClient,
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';
import { STORES, TRUST_ACCOUNT, call, uniq } from './ram-helpers.js';
import { assumeRole, sessionKeys } from './sts-helpers.js';
import { encodedDiagnostic, ossClient, ossFailure } from './oss-helpers.js';

async function authorizeCall(
  server: { readonly endpoint: string },
  keys: KeyPair,
  body: object | string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const url = new URL('/authorize', server.endpoint);
  const { host: _host, ...headers } = signRequestV3({
    method: 'POST',
    path: '/authorize',
    host: url.host,
    action: 'Authorize',
    version: '2015-05-01',
    query: [],
    body: text,
    contentType: 'application/json',
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
  });
  void _host;
  const res = await fetch(url, { method: 'POST', headers, body: text });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe.each(STORES)('authorization point (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let keys: KeyPair;
  let anne: string;
  let anneKeys: KeyPair;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    keys = rootKeys(server);
    anne = uniq('anne');
    await call(root, 'CreateUser', { UserName: anne });
    const k = (await call(root, 'CreateAccessKey', { UserName: anne })).AccessKey;
    anneKeys = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('decides for a principal given by ARN or AccessKey; a change holds on the next request', async () => {
    const resource = `acs:files:*:${server.accountId}:doc/report.txt`;
    const ask = (principal: object) =>
      authorizeCall(server, keys, { ...principal, Action: 'files:Read', Resource: resource });
    const byArn = { Arn: `acs:ram::${server.accountId}:user/${anne}` };
    const byKey = { AccessKeyId: anneKeys.accessKeyId };

    let r = await ask(byArn);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      Decision: 'ImplicitDeny',
      Principal: `acs:ram::${server.accountId}:user/${anne}`,
      Action: 'files:Read',
      Resource: resource,
    });
    expect(typeof (r.json.AccessDeniedDetail as Record<string, string>).EncodedDiagnosticMessage).toBe(
      'string',
    );

    const policy = uniq('files-read');
    await call(root, 'CreatePolicy', {
      PolicyName: policy,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'files:Read',
            Resource: `acs:files:*:${server.accountId}:doc/*`,
            Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
          },
        ],
      }),
    });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: policy, UserName: anne });
    r = await authorizeCall(server, keys, {
      ...byKey,
      Action: 'files:Read',
      Resource: resource,
      Context: { 'acs:SourceIp': '10.1.2.3' },
    });
    expect(r.json.Decision).toBe('Allow');
    expect(String(r.json.Explanation).length).toBeGreaterThan(0);
    // The condition is evaluated with the context given.
    r = await authorizeCall(server, keys, {
      ...byKey,
      Action: 'files:Read',
      Resource: resource,
      Context: { 'acs:SourceIp': '192.168.1.1' },
    });
    expect(r.json.Decision).toBe('ImplicitDeny');

    await call(root, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: policy, UserName: anne });
    r = await authorizeCall(server, keys, {
      ...byArn,
      Action: 'files:Read',
      Resource: resource,
      Context: { 'acs:SourceIp': '10.1.2.3' },
    });
    expect(r.json.Decision).toBe('ImplicitDeny');

    const deny = uniq('files-deny');
    await call(root, 'CreatePolicy', {
      PolicyName: deny,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'files:*', Resource: '*' }],
      }),
    });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: deny, UserName: anne });
    r = await ask(byArn);
    expect(r.json.Decision).toBe('ExplicitDeny');
    await call(root, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: deny, UserName: anne });
  });

  it('refuses unsigned or badly signed calls, callers without rampart:Authorize, and bad questions', async () => {
    const unsigned = await fetch(new URL('/authorize', server.endpoint), { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    const wrong = await authorizeCall(server, { ...keys, accessKeySecret: 'x' }, { Arn: 'x' });
    expect([wrong.status, wrong.json.Code]).toEqual([400, 'SignatureDoesNotMatch']);
    const notAllowed = await authorizeCall(server, anneKeys, {
      Arn: `acs:ram::${server.accountId}:root`,
      Action: 'files:Read',
      Resource: '*',
    });
    expect([notAllowed.status, notAllowed.json.Code]).toEqual([403, 'NoPermission']);
    for (const body of [
      'not json',
      { Action: 'files:Read', Resource: '*' },
      { Arn: 'acs:ram::1:user/x', Action: 'files:Read', Resource: '*' },
      { Arn: `acs:ram::${server.accountId}:root`, Action: 'no action', Resource: '*' },
      { Arn: `acs:ram::${server.accountId}:root`, AccessKeyId: 'x', Action: 'files:Read', Resource: '*' },
    ]) {
      const r = await authorizeCall(server, keys, body);
      expect([JSON.stringify(body), r.status, r.json.Code]).toEqual([
        JSON.stringify(body),
        400,
        'InvalidParameter',
      ]);
    }
    const other = await authorizeCall(server, keys, {
      Arn: 'acs:ram::1234567890123456:root',
      Action: 'files:Read',
      Resource: '*',
    });
    expect([other.status, other.json.Code]).toEqual([403, 'NoPermission']);
    // Another account's users and roles get that answer whether or not they exist: it is not
    // looked up, so the answer tells nothing of that account.
    for (const arn of ['acs:ram::1234567890123456:user/nobody', 'acs:ram::1234567890123456:role/nothing']) {
      const r = await authorizeCall(server, keys, { Arn: arn, Action: 'files:Read', Resource: '*' });
      expect([arn, r.status, r.json.Code]).toEqual([arn, 403, 'NoPermission']);
    }
    const missing = await authorizeCall(server, keys, {
      Arn: `acs:ram::${server.accountId}:user/nobody-${uniq('x')}`,
      Action: 'files:Read',
      Resource: '*',
    });
    expect(missing.status).toBe(404);
  });

  it('answers a user or role name that breaks its name rule as a principal that does not exist', async () => {
    const kate = uniq('kate');
    await call(root, 'CreateUser', { UserName: kate });
    await call(root, 'CreateRole', {
      RoleName: kate,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:root`] },
          },
        ],
      }),
    });
    const ask = (Arn: string) => authorizeCall(server, keys, { Arn, Action: 'files:Read', Resource: '*' });
    // Names are found ignoring A-Z case.
    for (const type of ['user', 'role']) {
      const r = await ask(`acs:ram::${server.accountId}:${type}/${kate.toUpperCase()}`);
      expect([type, r.status]).toEqual([type, 200]);
    }
    // U+212A lower-cases to k under Unicode rules; a NUL or DEL is in no name.
    for (const type of ['user', 'role']) {
      for (const name of [`\u212A${kate.slice(1)}`, 'a\u0000b', 'a\u007fb']) {
        const r = await ask(`acs:ram::${server.accountId}:${type}/${name}`);
        expect([type, name, r.status, r.json.Code]).toEqual([type, name, 404, 'EntityNotExist.Principal']);
      }
    }
  });

  describe('the node:http middleware', () => {
    let svc: Server;
    let port: number;
    const bucketOf = 'files';

    beforeAll(async () => {
      const guard = rampartAuthorization({
        endpoint: server.endpoint,
        ...keys,
        action: (req) => (req.method === 'GET' || req.method === 'HEAD' ? 'files:Read' : 'files:Write'),
        resource: (req) => `acs:files:*:${server.accountId}:${(req.url ?? '/').split('?')[0]!.slice(1)}`,
      });
      svc = createServer((req, res) =>
        guard(req, res, (err?: unknown) => {
          if (err) {
            res.writeHead(500);
            res.end();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`served ${req.url}`);
        }),
      );
      await new Promise<void>((resolve) => svc.listen(0, '127.0.0.1', resolve));
      port = (svc.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => svc.close(() => resolve()));
    });

    it('lets through what the principal may do, on the next request after a change', async () => {
      // The end user signs with ali-oss, unchanged, pointed at the other service.
      const user = ossClient({ port }, anneKeys, { bucket: bucketOf, addressing: 'path' });
      let refused = await ossFailure(user.get('report.txt'));
      expect(refused.status).toBe(403);

      const policy = uniq('mw-read');
      await call(root, 'CreatePolicy', {
        PolicyName: policy,
        PolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'files:Read', Resource: `acs:files:*:${server.accountId}:files/*` },
          ],
        }),
      });
      await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: policy, UserName: anne });
      const got = await user.get('report.txt');
      expect(got.content.toString()).toBe('served /files/report.txt');
      // A presigned URL works the same way.
      const viaUrl = await fetch(user.signatureUrl('report.txt', { expires: 60 }));
      expect(viaUrl.status).toBe(200);
      // Writing is another action.
      refused = await ossFailure(user.put('report.txt', Buffer.from('x')));
      expect(refused.status).toBe(403);

      await call(root, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: policy, UserName: anne });
      refused = await ossFailure(user.get('report.txt'));
      expect(refused.status).toBe(403);

      // A wrong secret never reaches the service.
      const forger = ossClient(
        { port },
        { ...anneKeys, accessKeySecret: 'nope' },
        { bucket: bucketOf, addressing: 'path' },
      );
      expect((await ossFailure(forger.get('report.txt'))).status).toBe(403);
    });
  });
});

/**
 * What the authorization point tells one account of another: a second account exists only
 * in-process, so these run on the in-process server (both stores).
 */
describe.each(STORES)('authorization point across accounts (%s)', (store) => {
  let server: InProcessServer;
  let keys: KeyPair;
  let root: RamClient;
  let carol: string;
  let member: { accountId: string; keys: KeyPair; root: RamClient };
  let bucket: string;

  beforeAll(async () => {
    server = await startInProcessServer({ store });
    keys = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    root = ramClient(server, keys);
    carol = uniq('carol');
    await call(root, 'CreateUser', { UserName: carol });
    const created = await server.deployment.domain.accounts.create({ rootPassword: 'Member#Account-2026!' });
    const key = await server.deployment.domain.accounts.createRootAccessKey(created.accountId);
    const memberKeys = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
    member = { accountId: created.accountId, keys: memberKeys, root: ramClient(server, memberKeys) };
    bucket = uniq('member-secret');
    const owner = ossClient({ port: server.server.port }, memberKeys, { bucket });
    await owner.putBucket(bucket);
    await owner.putBucketPolicy(bucket, {
      Version: '1',
      Statement: [
        {
          Sid: 'PartnerFromOfficeOnly',
          Effect: 'Allow',
          Principal: [server.accountId],
          Action: ['oss:GetObject'],
          Resource: [`acs:oss:*:*:${bucket}/*`],
          Condition: {
            IpAddress: { 'acs:SourceIp': ['198.51.100.23/32'] },
            StringEquals: { 'acs:UserAgent': 'SecretAgent/7' },
          },
        },
        {
          Sid: 'NobodyReadsInternal',
          Effect: 'Deny',
          Principal: ['*'],
          Action: ['oss:GetObject'],
          Resource: [`acs:oss:*:*:${bucket}/internal/*`],
        },
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const policyFor = async (userName: string, statements: object[]) => {
    const name = uniq('authz-case');
    await call(root, 'CreatePolicy', {
      PolicyName: name,
      PolicyDocument: JSON.stringify({ Version: '1', Statement: statements }),
    });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: name, UserName: userName });
  };

  it('a context key given in any letter case replaces the built-in value of that key', async () => {
    const user = uniq('dana');
    await call(root, 'CreateUser', { UserName: user });
    await policyFor(user, [
      {
        Effect: 'Allow',
        Action: 'files:Late',
        Resource: '*',
        Condition: { DateGreaterThan: { 'acs:CurrentTime': '2020-01-01T00:00:00Z' } },
      },
      { Effect: 'Allow', Action: ['files:Mfa', 'files:Secure'], Resource: '*' },
      JSON.parse(
        '{"Effect":"Allow","Action":"files:Proto","Resource":"*","Condition":{"StringEquals":{"__proto__":"yes"}}}',
      ) as object,
      {
        Effect: 'Deny',
        Action: 'files:Mfa',
        Resource: '*',
        Condition: { Bool: { 'acs:MFAPresent': false } },
      },
      {
        Effect: 'Deny',
        Action: 'files:Secure',
        Resource: '*',
        Condition: { Bool: { 'acs:SecureTransport': false } },
      },
    ]);
    const ask = (action: string, context?: object) =>
      authorizeCall(server, keys, {
        Arn: `acs:ram::${server.accountId}:user/${user}`,
        Action: action,
        Resource: `acs:files:*:${server.accountId}:doc`,
        ...(context ? { Context: context } : {}),
      });
    const past = '2019-01-01T00:00:00Z';
    const rows: [string, object | undefined, string][] = [
      // The built-in values: now, no MFA, not secure.
      ['files:Late', undefined, 'Allow'],
      ['files:Mfa', undefined, 'ExplicitDeny'],
      ['files:Secure', undefined, 'ExplicitDeny'],
      // Given in the built-in spelling or in any other case, the caller's value is the only one.
      ['files:Late', { 'acs:CurrentTime': past }, 'ImplicitDeny'],
      ['files:Late', { 'acs:currenttime': past }, 'ImplicitDeny'],
      ['files:Late', { 'ACS:CURRENTTIME': past }, 'ImplicitDeny'],
      ['files:Mfa', { 'acs:MFAPresent': true }, 'Allow'],
      ['files:Mfa', { 'acs:mfapresent': true }, 'Allow'],
      ['files:Secure', { 'acs:SecureTransport': true }, 'Allow'],
      ['files:Secure', { 'ACS:SECURETRANSPORT': true }, 'Allow'],
      // Two spellings in the caller's Context are one key with both values, as the engine reads it.
      ['files:Late', { 'acs:CurrentTime': past, 'acs:currenttime': '2019-06-01T00:00:00Z' }, 'ImplicitDeny'],
      ['files:Late', { 'acs:CurrentTime': past, 'acs:currenttime': '2030-01-01T00:00:00Z' }, 'Allow'],
      // A key without a service prefix is a key, whatever its name.
      ['files:Proto', JSON.parse('{"__proto__": "yes"}') as object, 'Allow'],
      ['files:Proto', JSON.parse('{"__proto__": "no"}') as object, 'ImplicitDeny'],
      ['files:Proto', undefined, 'ImplicitDeny'],
    ];
    for (const [action, context, expected] of rows) {
      const r = await ask(action, context);
      expect([action, context, r.status, r.json.Decision]).toEqual([action, context, 200, expected]);
    }
  });

  it("counts another account's bucket policy but shows nothing of it, nor its owner's id", async () => {
    await policyFor(carol, [
      { Sid: 'CarolOwnDeny', Effect: 'Deny', Action: 'oss:DeleteObject', Resource: '*' },
    ]);
    const ask = (action: string, resource: string, context: object) =>
      authorizeCall(server, keys, {
        Arn: `acs:ram::${server.accountId}:user/${carol}`,
        Action: action,
        Resource: resource,
        Context: context,
      });
    const secrets = [
      member.accountId,
      'PartnerFromOfficeOnly',
      'NobodyReadsInternal',
      '198.51.100.23',
      'SecretAgent',
      'IpAddress',
      'StringEquals',
    ];
    const revealed = (text: string) => secrets.filter((s) => text.includes(s));
    const decoded = async (answer: Record<string, unknown>) => {
      const detail = answer.AccessDeniedDetail as Record<string, string>;
      return JSON.stringify(
        await popClient(server, keys).request(
          'DecodeDiagnosticMessage',
          { EncodedDiagnosticMessage: detail.EncodedDiagnosticMessage, IncludeExplanation: 'true' },
          { method: 'POST' },
        ),
      );
    };
    const object = `acs:oss:*:*:${bucket}/x`;

    // Refused: the statement that came nearest and its failing condition are the owner's.
    let r = await ask('oss:GetObject', object, { 'acs:SourceIp': '1.2.3.4' });
    expect([r.status, r.json.Decision, r.json.Resource]).toEqual([200, 'ImplicitDeny', object]);
    expect(revealed(JSON.stringify(r.json))).toEqual([]);
    expect(revealed(await decoded(r.json))).toEqual([]);

    // Allowed by the owner's statement: the decision counts it, the answer does not name it.
    r = await ask('oss:GetObject', object, {
      'acs:SourceIp': '198.51.100.23',
      'acs:UserAgent': 'SecretAgent/7',
    });
    expect([r.json.Decision, r.json.Resource]).toEqual(['Allow', object]);
    expect(revealed(String(r.json.Explanation)).filter((s) => s !== 'SecretAgent')).toEqual([]);
    expect(String(r.json.Explanation)).not.toContain('PartnerFromOfficeOnly');

    // Denied by the owner's Deny statement.
    const internal = `acs:oss:*:*:${bucket}/internal/a`;
    r = await ask('oss:GetObject', internal, { 'acs:SourceIp': '198.51.100.23' });
    expect([r.json.Decision, r.json.Resource]).toEqual(['ExplicitDeny', internal]);
    expect(revealed(JSON.stringify(r.json)).filter((s) => s !== '198.51.100.23')).toEqual([]);
    expect(revealed(await decoded(r.json)).filter((s) => s !== '198.51.100.23')).toEqual([]);

    // The asker's own policies are explained as usual (its own resources; on another account's,
    // only the owner's policy decides).
    r = await ask('oss:DeleteObject', `acs:oss:*:${server.accountId}:own-bucket/x`, {});
    expect(r.json.Decision).toBe('ExplicitDeny');
    expect(String(r.json.Explanation)).toContain('CarolOwnDeny');

    // The data plane's own refusal of the same request says no more: its diagnostic, decoded
    // by the caller's account, names none of the owner's statements either.
    const carolKey = (await call(root, 'CreateAccessKey', { UserName: carol })) as {
      AccessKey: { AccessKeyId: string; AccessKeySecret: string };
    };
    const asCarol = ossClient(
      { port: server.server.port },
      { accessKeyId: carolKey.AccessKey.AccessKeyId, accessKeySecret: carolKey.AccessKey.AccessKeySecret },
      { bucket },
    );
    const refused = await ossFailure(asCarol.get('internal/a'));
    expect([refused.status, refused.code]).toEqual([403, 'AccessDenied']);
    const fromDataPlane = JSON.stringify(
      await popClient(server, keys).request(
        'DecodeDiagnosticMessage',
        { EncodedDiagnosticMessage: encodedDiagnostic(refused.message), IncludeExplanation: 'true' },
        { method: 'POST' },
      ),
    );
    expect(fromDataPlane).toContain('ExplicitDeny');
    expect(revealed(fromDataPlane).filter((s) => s !== member.accountId)).toEqual([]);
  });

  it("answers another account's AccessKey, active or disabled, as a key that does not exist", async () => {
    const mkUserKey = async (status: 'Active' | 'Inactive') => {
      const name = uniq('member-user');
      await call(member.root, 'CreateUser', { UserName: name });
      const k = (await call(member.root, 'CreateAccessKey', { UserName: name })).AccessKey;
      if (status === 'Inactive')
        await call(member.root, 'UpdateAccessKey', {
          UserName: name,
          UserAccessKeyId: k.AccessKeyId,
          Status: 'Inactive',
        });
      return { accessKeyId: k.AccessKeyId as string, accessKeySecret: k.AccessKeySecret as string };
    };
    const role = uniq('member-role');
    await call(member.root, 'CreateRole', {
      RoleName: role,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(member.accountId),
    });
    const session = sessionKeys(
      await assumeRole(server, member.keys, {
        RoleArn: `acs:ram::${member.accountId}:role/${role}`,
        RoleSessionName: 'probe',
      }),
    );
    // Temporary credentials of another account: the same answer, though the token is genuine.
    const bySession = await authorizeCall(server, keys, {
      Action: 'files:Read',
      Resource: `acs:files:*:${server.accountId}:doc`,
      AccessKeyId: session.accessKeyId,
      SecurityToken: session.securityToken,
    });
    expect([bySession.status, bySession.json.Code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
    const active = await mkUserKey('Active');
    const disabled = await mkUserKey('Inactive');
    const missing = { accessKeyId: `LTAI${'0'.repeat(20)}`, accessKeySecret: 'x' };
    const question = { Action: 'files:Read', Resource: `acs:files:*:${server.accountId}:doc` };
    const answer = (r: { status: number; json: Record<string, unknown> }) => [
      r.status,
      r.json.Code,
      r.json.Message,
    ];
    const notFound = [404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'];
    for (const [label, k] of [
      ['active', active],
      ['disabled', disabled],
      ['missing', missing],
      ['member root', member.keys],
    ] as const) {
      const byKey = await authorizeCall(server, keys, { ...question, AccessKeyId: k.accessKeyId });
      expect([label, 'AccessKeyId', ...answer(byKey)]).toEqual([label, 'AccessKeyId', ...notFound]);
      // A request it signed (V1 header), the signature right or wrong: the same answer, and no
      // string to sign.
      for (const signature of ['right', 'wrong']) {
        const path = `/files/doc`;
        const date = new Date().toUTCString();
        const sig =
          signature === 'right'
            ? createHmac('sha1', k.accessKeySecret).update(`GET\n\n\n${date}\n${path}`).digest('base64')
            : 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
        const byRequest = await authorizeCall(server, keys, {
          ...question,
          Request: {
            Method: 'GET',
            Path: path,
            Headers: { date, authorization: `OSS ${k.accessKeyId}:${sig}` },
          },
        });
        expect([label, signature, ...answer(byRequest)]).toEqual([label, signature, ...notFound]);
      }
    }
  });
});
