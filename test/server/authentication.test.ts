import { createHmac, randomBytes } from 'node:crypto';
import * as Ram from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/auth/signature-v3.js';
import { ramClient, rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { unsignedCall, v2Call, v3Call } from './http.js';

/**
 * Every way authentication can fail, over HTTP against a real `rampart serve`: the code,
 * the status, and that the refused call changed nothing.
 */
let server: TestServer;
let root: KeyPair;
let userKey: KeyPair;
let deletedUserKey: KeyPair;

/** Go's url.QueryEscape: A-Z a-z 0-9 - _ . ~ kept, space as `+`, every other byte %XX. */
const goQueryEscape = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** Go's url.Values.Encode: sorted by name, joined by `&`. */
const goValuesEncode = (params: Record<string, string>): string =>
  Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k]!)}`)
    .join('&');

/**
 * A V2 GET as the aliyungo RAM client (Go net/url) sends it: the query is url.Values.Encode
 * (space as `+`), signed over percentReplace(values.Encode()) (`+` -> %20, `*` -> %2A).
 */
async function goV2Get(key: KeyPair, params: Record<string, string>, headers: Record<string, string> = {}) {
  const values: Record<string, string> = {
    Version: '2015-05-01',
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomBytes(16).toString('hex'),
    Timestamp: formatTimestamp(new Date()),
    Format: 'JSON',
    ...params,
  };
  const canonical = goValuesEncode(values).replace(/\+/g, '%20').replace(/\*/g, '%2A');
  values.Signature = createHmac('sha1', `${key.accessKeySecret}&`)
    .update(`GET&%2F&${goQueryEscape(canonical)}`)
    .digest('base64');
  const query = goValuesEncode(values);
  const res = await fetch(`${server.endpoint}/?${query}`, { headers });
  return { query, status: res.status, body: (await res.json()) as Record<string, never> };
}

async function userNames(): Promise<string[]> {
  const r = await v3Call(server, root, 'ListUsers');
  expect(r.status).toBe(200);
  return (r.json().Users.User as { UserName: string }[]).map((u) => u.UserName).sort();
}

beforeAll(async () => {
  server = await startServer();
  root = rootKeys(server);
  const ram = ramClient(server);
  await ram.createUser(new Ram.CreateUserRequest({ userName: 'worker' }));
  const key = await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'worker' }));
  userKey = {
    accessKeyId: key.body!.accessKey!.accessKeyId!,
    accessKeySecret: key.body!.accessKey!.accessKeySecret!,
  };
  await ram.createUser(new Ram.CreateUserRequest({ userName: 'leaver' }));
  const k2 = await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'leaver' }));
  deletedUserKey = {
    accessKeyId: k2.body!.accessKey!.accessKeyId!,
    accessKeySecret: k2.body!.accessKey!.accessKeySecret!,
  };
  await ram.deleteAccessKey(
    new Ram.DeleteAccessKeyRequest({ userName: 'leaver', userAccessKeyId: deletedUserKey.accessKeyId }),
  );
  await ram.deleteUser(new Ram.DeleteUserRequest({ userName: 'leaver' }));
});

afterAll(async () => {
  await server?.stop();
});

describe('authentication over HTTP', () => {
  it('accepts a V3 call and a V2 call of the root', async () => {
    expect((await v3Call(server, root, 'GetAccountAlias')).status).toBe(200);
    const v2 = await v2Call(server, root, { Action: 'GetAccountAlias', Format: 'JSON' });
    expect(v2.status).toBe(200);
    expect(v2.json().RequestId).toBe(v2.requestId);
  });

  const refusals: [
    string,
    () => Promise<{ status: number; json(): Record<string, unknown> }>,
    number,
    string,
    string,
  ][] = [
    [
      'an unsigned call',
      () => unsignedCall(server, 'Action=CreateUser&Version=2015-05-01&Format=JSON&UserName=intruder'),
      400,
      'MissingParameter',
      'The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied.',
    ],
    [
      'a wrong V3 signature',
      () => v3Call(server, root, 'CreateUser', { UserName: 'intruder' }, { secret: 'not-the-secret' }),
      400,
      'SignatureDoesNotMatch',
      'Specified signature is not matched with our calculation. server string to sign is:ACS3-HMAC-SHA256\n',
    ],
    [
      'a wrong V2 signature',
      () =>
        v2Call(
          server,
          root,
          { Action: 'CreateUser', UserName: 'intruder', Format: 'JSON' },
          { secret: 'nope' },
        ),
      400,
      'SignatureDoesNotMatch',
      'Specified signature is not matched with our calculation. server string to sign is:GET&%2F&AccessKeyId%3D',
    ],
    [
      'an expired V3 date',
      () =>
        v3Call(
          server,
          root,
          'CreateUser',
          { UserName: 'intruder' },
          { now: new Date(Date.now() - 20 * 60_000) },
        ),
      400,
      'InvalidTimeStamp.Expired',
      'Specified time stamp or date value is expired.',
    ],
    [
      'a V2 timestamp from the future',
      () =>
        v2Call(
          server,
          root,
          { Action: 'CreateUser', UserName: 'intruder', Format: 'JSON' },
          { timestamp: new Date(Date.now() + 20 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') },
        ),
      400,
      'InvalidTimeStamp.Expired',
      'Specified time stamp or date value is expired.',
    ],
    [
      'a 27,000-character V3 nonce',
      () => v3Call(server, root, 'CreateUser', { UserName: 'intruder' }, { nonce: 'n'.repeat(27_000) }),
      400,
      'InvalidParameter',
      'The parameter - "SignatureNonce" must be 1 to 128 characters long.',
    ],
    [
      'a 129-character V2 nonce',
      () =>
        v2Call(
          server,
          root,
          { Action: 'CreateUser', UserName: 'intruder', Format: 'JSON' },
          { method: 'POST', nonce: 'n'.repeat(129) },
        ),
      400,
      'InvalidParameter',
      'The parameter - "SignatureNonce" must be 1 to 128 characters long.',
    ],
    [
      'an unknown AccessKey',
      () =>
        v3Call(server, { accessKeyId: 'LTAI5tNoSuchKey0000000', accessKeySecret: 'x' }, 'CreateUser', {
          UserName: 'intruder',
        }),
      404,
      'InvalidAccessKeyId.NotFound',
      'Specified access key is not found.',
    ],
    [
      "a deleted user's AccessKey",
      () => v3Call(server, deletedUserKey, 'GetAccountAlias'),
      404,
      'InvalidAccessKeyId.NotFound',
      'Specified access key is not found.',
    ],
    [
      'a security token that is not one this deployment sealed',
      () =>
        v3Call(
          server,
          root,
          'CreateUser',
          { UserName: 'intruder' },
          { headers: { 'x-acs-security-token': 'CAIS...' } },
        ),
      400,
      'InvalidSecurityToken.Malformed',
      'Specified SecurityToken is malformed.',
    ],
  ];

  it.each(refusals)('refuses %s', async (_what, send, status, code, messageStart) => {
    const r = await send();
    expect(r.status).toBe(status);
    const body = r.json();
    expect(body.Code).toBe(code);
    expect(String(body.Message).startsWith(messageStart)).toBe(true);
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(body.HostId).toBe('ram.aliyuncs.com');
    expect(await userNames()).toEqual(['worker']);
  });

  it('refuses a replayed nonce and does not run the call twice', async () => {
    const nonce = 'replay-nonce-0001';
    const first = await v3Call(server, root, 'CreateUser', { UserName: 'once' }, { nonce });
    expect(first.status).toBe(200);
    const again = await v3Call(server, root, 'CreateUser', { UserName: 'once' }, { nonce });
    expect([again.status, again.json().Code, again.json().Message]).toEqual([
      400,
      'SignatureNonceUsed',
      'Specified signature nonce was used already.',
    ]);
    const v2nonce = 'replay-nonce-0002';
    expect(
      (await v2Call(server, root, { Action: 'GetAccountAlias', Format: 'JSON' }, { nonce: v2nonce })).status,
    ).toBe(200);
    const v2again = await v2Call(
      server,
      root,
      { Action: 'GetAccountAlias', Format: 'JSON' },
      { nonce: v2nonce },
    );
    expect(v2again.json().Code).toBe('SignatureNonceUsed');
    expect(await userNames()).toEqual(['once', 'worker']);
    expect((await v3Call(server, root, 'DeleteUser', { UserName: 'once' })).status).toBe(200);
  });

  it('refuses an inactive key on the very next request, and accepts it again once active', async () => {
    const ram = ramClient(server);
    expect((await v3Call(server, userKey, 'GetAccountAlias')).json().Code).not.toBe(
      'InvalidAccessKeyId.Inactive',
    );
    await ram.updateAccessKey(
      new Ram.UpdateAccessKeyRequest({
        userName: 'worker',
        userAccessKeyId: userKey.accessKeyId,
        status: 'Inactive',
      }),
    );
    const r = await v3Call(server, userKey, 'CreateUser', { UserName: 'intruder' });
    expect([r.status, r.json().Code, r.json().Message]).toEqual([
      400,
      'InvalidAccessKeyId.Inactive',
      'Specified access key is disabled.',
    ]);
    expect(await userNames()).toEqual(['worker']);
    await ram.updateAccessKey(
      new Ram.UpdateAccessKeyRequest({
        userName: 'worker',
        userAccessKeyId: userKey.accessKeyId,
        status: 'Active',
      }),
    );
    expect((await v3Call(server, userKey, 'GetAccountAlias')).json().Code).not.toBe(
      'InvalidAccessKeyId.Inactive',
    );
  });

  it('reads a space sent as + (Go, Python, Java form encoding) as a space, and %2B as a plus sign', async () => {
    const created = await goV2Get(root, {
      Action: 'CreateUser',
      UserName: 'go-client',
      Comments: 'made by a+b the Go client',
    });
    expect(created.query).toContain('Comments=made+by+a%2Bb+the+Go+client');
    expect(created.status).toBe(200);
    const got = await goV2Get(root, { Action: 'GetUser', UserName: 'go-client' });
    expect(got.body.User).toMatchObject({ UserName: 'go-client', Comments: 'made by a+b the Go client' });
    expect((await v3Call(server, root, 'DeleteUser', { UserName: 'go-client' })).status).toBe(200);
  });

  it('never takes the action of a V2 call from an unsigned x-acs-action header', async () => {
    // Signed without Action; openapi-core and pop-core send x-acs-action unsigned beside the parameters.
    const r = await goV2Get(
      root,
      { UserName: 'intruder' },
      { 'x-acs-action': 'CreateUser', 'x-acs-version': '2015-05-01' },
    );
    expect([r.status, r.body.Code, r.body.Message]).toEqual([
      400,
      'MissingParameter',
      'The input parameter "Action" that is mandatory for processing this request is not supplied.',
    ]);
    expect(await userNames()).toEqual(['worker']);
  });

  it('refuses an unknown action or version with the gateway code', async () => {
    for (const [action, version] of [
      ['NoSuchAction', '2015-05-01'],
      ['ListUsers', '2001-01-01'],
    ] as const) {
      const r = await v3Call(server, root, action, {}, { version });
      expect([r.status, r.json().Code, r.json().Message]).toEqual([
        400,
        'InvalidParameter',
        'The specified parameter "Action or Version" is not valid.',
      ]);
    }
  });

  it('answers other paths with InvalidApi.NotFound', async () => {
    const res = await fetch(`${server.endpoint}/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ Code: 'InvalidApi.NotFound' });
  });

  it('refuses a body of 330,000 parameters with a small answer, changing nothing', async () => {
    const params = 'a=&'.repeat(330_000);
    const body = `Action=CreateUser&Version=2015-05-01&Format=JSON&UserName=intruder&AccessKeyId=${root.accessKeyId}&Signature=bad&${params}`;
    expect(body.length).toBeGreaterThan(900_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const res = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      Code: 'InvalidParameter',
      Message: 'The request carries more than 1000 parameters (query and form body together).',
    });
    expect(text.length).toBeLessThan(1000);
    expect(await userNames()).toEqual(['worker']);
  });

  it('echoes a bounded string to sign on a signature mismatch', async () => {
    const r = await v2Call(
      server,
      root,
      { Action: 'CreateUser', UserName: 'intruder', Format: 'JSON', Comments: 'c'.repeat(300_000) },
      { method: 'POST', secret: 'wrong' },
    );
    expect([r.status, r.json().Code]).toEqual([400, 'SignatureDoesNotMatch']);
    expect(r.json().Message).toMatch(/\.\.\.\[truncated: \d+ characters in all\]$/);
    expect(r.text.length).toBeLessThan(3000);
    expect(await userNames()).toEqual(['worker']);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=ListUsers&Pad=${'a'.repeat(1024 * 1024 + 10)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ Code: 'RequestEntityTooLarge' });
  });
});
