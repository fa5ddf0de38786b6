/**
 * The authorization point (`POST /authorize`) and the exported node:http middleware, against
 * a real server process: decisions for principals given by ARN, by AccessKey and by a request
 * the principal signed (ali-oss, unchanged, pointed at another service); the same caches and
 * invalidation as the API (a permission change holds on the next request); and refusals.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequestV3 } from '../../src/auth/signature-v3.js';
import { rampartAuthorization } from '../../src/authz/middleware.js';
import {
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';
import { STORES, call, uniq } from './ram-helpers.js';
import { ossClient, ossFailure } from './oss-helpers.js';

async function authorizeCall(
  server: TestServer,
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
