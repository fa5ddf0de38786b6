import * as OpenApi from '@alicloud/openapi-client';
import * as Ram from '@alicloud/ram20150501';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient, ramClient, rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { v2Call, v3Call } from './http.js';

/** Success and error answers as the official clients read them, JSON and XML. */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ initArgs: ['--account-alias', 'envelope-test'] });
  const ram = ramClient(server);
  await ram.createUser(new Ram.CreateUserRequest({ userName: 'ann' }));
  await ram.createUser(new Ram.CreateUserRequest({ userName: 'ben' }));
});

afterAll(async () => {
  await server?.stop();
});

interface ClientErrorShape {
  name: string;
  code: string;
  statusCode: number;
  requestId: string;
  message: string;
  data: Record<string, unknown>;
  accessDeniedDetail: unknown;
}

async function thrown(p: Promise<unknown>): Promise<ClientErrorShape> {
  try {
    await p;
  } catch (err) {
    return err as ClientErrorShape;
  }
  throw new Error('expected the call to fail');
}

describe('the V3 client (@alicloud/ram20150501)', () => {
  it('reads a success answer', async () => {
    const r = await ramClient(server).getAccountAlias();
    expect(r.statusCode).toBe(200);
    expect(r.body!.accountAlias).toBe('envelope-test');
    expect(r.body!.requestId).toBe(r.headers!['x-acs-request-id']);
  });

  it('reads a wrapped list as an array', async () => {
    const r = await ramClient(server).listUsers(new Ram.ListUsersRequest({ maxItems: 10 }));
    expect(r.body!.users!.user!.map((u) => u.userName).sort()).toEqual(['ann', 'ben']);
  });

  it('reads an error answer: code, status, request id and the whole envelope', async () => {
    const e = await thrown(ramClient(server).getUser(new Ram.GetUserRequest({ userName: 'nobody' })));
    expect(e.name).toBe('ClientError');
    expect(e.code).toBe('EntityNotExist.User');
    expect(e.statusCode).toBe(404);
    expect(e.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(e.data).toMatchObject({
      Code: 'EntityNotExist.User',
      HostId: 'ram.aliyuncs.com',
      RequestId: e.requestId,
      Recommend: `https://api.aliyun.com/troubleshoot?q=EntityNotExist.User&product=Ram&requestId=${e.requestId}`,
    });
    expect(e.message).toBe(
      `EntityNotExist.User: code: 404, ${String(e.data.Message)} request id: ${e.requestId}`,
    );
  });
});

describe('the V2 client (@alicloud/pop-core)', () => {
  it('reads a success answer over GET and a form POST', async () => {
    const pop = popClient(server, rootKeys(server));
    const alias = (await pop.request('GetAccountAlias', {})) as { AccountAlias: string; RequestId: string };
    expect(alias.AccountAlias).toBe('envelope-test');
    const created = (await pop.request(
      'CreateUser',
      { UserName: 'cat', Comments: 'a b*c~d/e+f=g&h 中文 😀' },
      { method: 'POST' },
    )) as {
      User: { UserName: string; Comments: string };
    };
    expect(created.User).toMatchObject({ UserName: 'cat', Comments: 'a b*c~d/e+f=g&h 中文 😀' });
    await pop.request('DeleteUser', { UserName: 'cat' }, { method: 'POST' });
  });

  it('reads an error answer by its Code', async () => {
    const e = await thrown(popClient(server, rootKeys(server)).request('GetUser', { UserName: 'nobody' }));
    expect(e.name).toBe('EntityNotExist.UserError');
    expect(e.code).toBe('EntityNotExist.User');
    expect(e.data).toMatchObject({ Code: 'EntityNotExist.User', HostId: 'ram.aliyuncs.com' });
  });
});

describe('XML answers', () => {
  const xml = new XMLParser({ parseTagValue: false });

  it('is the default of a V2 call without Format, under <ActionResponse>, lists repeated', async () => {
    const r = await v2Call(server, rootKeys(server), { Action: 'ListUsers' });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('text/xml;charset=utf-8');
    const doc = xml.parse(r.text) as {
      ListUsersResponse: { RequestId: string; Users: { User: { UserName: string }[] } };
    };
    expect(doc.ListUsersResponse.RequestId).toBe(r.requestId);
    expect(doc.ListUsersResponse.Users.User.map((u) => u.UserName).sort()).toEqual(['ann', 'ben']);
  });

  it('writes errors as <Error> with the exact content type', async () => {
    const r = await v2Call(
      server,
      rootKeys(server),
      { Action: 'GetUser', UserName: 'nobody' },
      { method: 'POST' },
    );
    expect(r.status).toBe(404);
    expect(r.contentType).toBe('text/xml;charset=utf-8');
    const doc = xml.parse(r.text) as { Error: Record<string, string> };
    expect(doc.Error).toMatchObject({
      RequestId: r.requestId,
      HostId: 'ram.aliyuncs.com',
      Code: 'EntityNotExist.User',
    });
    expect(doc.Error.Recommend).toContain('q=EntityNotExist.User&product=Ram');
  });

  it('is chosen by Format=XML even for a V3 call', async () => {
    const r = await v3Call(server, rootKeys(server), 'GetUser', { UserName: 'ann', Format: 'XML' });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('text/xml;charset=utf-8');
    expect(r.text).toContain('<GetUserResponse>');
    expect(r.text).toContain('<UserName>ann</UserName>');
  });

  it('is not used for a V2 call that asks for JSON in Accept', async () => {
    const res = await fetch(`${server.endpoint}/?Action=ListUsers&Version=2015-05-01`, {
      headers: { accept: 'application/json' },
    });
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(((await res.json()) as { Code: string }).Code).toBe('MissingParameter');
  });
});

describe('an XML error read by the V3 runtime (@alicloud/openapi-client)', () => {
  it('parses <Error> when the content type is exactly text/xml;charset=utf-8', async () => {
    type ClientClass = typeof OpenApi.default.default;
    type Runtime = Parameters<InstanceType<ClientClass>['callApi']>[2];
    // CommonJS default export: the class is `.default` under Node's loader, the value itself otherwise.
    const OpenApiClient =
      (OpenApi.default as unknown as { default?: ClientClass }).default ??
      (OpenApi.default as unknown as ClientClass);
    const client = new OpenApiClient(
      new OpenApi.Config({
        accessKeyId: server.rootAccessKeyId,
        accessKeySecret: server.rootAccessKeySecret,
        endpoint: server.host,
        protocol: 'http',
      }),
    );
    const params = new OpenApi.Params({
      action: 'GetUser',
      version: '2015-05-01',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({ query: { UserName: 'nobody', Format: 'XML' } });
    const e = await thrown(client.callApi(params, request, {} as Runtime));
    expect(e.code).toBe('EntityNotExist.User');
    expect(e.statusCode).toBe(404);
    expect(e.data).toMatchObject({ Code: 'EntityNotExist.User', HostId: 'ram.aliyuncs.com' });
  });
});
