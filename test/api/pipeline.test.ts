import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../src/api/action.js';
import { createAuthorizer } from '../../src/api/authorize.js';
import { decodeDiagnostic } from '../../src/api/diagnostic.js';
import { apiError } from '../../src/errors.js';
import { runPipeline, STEPS, type PipelineEnv } from '../../src/api/pipeline.js';
import type { WireRequest } from '../../src/api/protocol/wire.js';
import { createRegistry } from '../../src/api/registry.js';
import type { Services, SigningKey } from '../../src/domain/request-services.js';
import { percentEncode } from '../../src/auth/percent-encode.js';
import type { Principal } from '../../src/auth/principal.js';
import { stringToSignV2 } from '../../src/auth/signature-v2.js';
import { formatTimestamp, signRequestV3 } from '../../src/auth/signature-v3.js';
import { createSealer } from '../../src/crypto/seal.js';
import { createTokenReader } from '../../src/auth/sts-token.js';
import type { Domain } from '../../src/domain/index.js';
import type { PolicyInput } from '../../src/policy/request.js';

/**
 * The request path with in-memory services (the same path runs over HTTP against a real
 * server in test/server). Every request is built by our client-side signer.
 */
const ACCOUNT = '1000000000000001';
const root: Principal = { type: 'Root', accountId: ACCOUNT };
const alice: Principal = {
  type: 'RAMUser',
  accountId: ACCOUNT,
  userId: '200000000000001',
  userName: 'alice',
};
const sealer = createSealer([{ id: 't', key: Buffer.alloc(32, 7) }]);

const getThing = defineAction({
  service: 'ram',
  name: 'GetThing',
  params: {
    parse: (raw) => {
      if (!raw.Name) throw apiError('MissingParameter', 'Name is mandatory for this action.');
      return { name: raw.Name };
    },
  },
  authorize: (req) => ({
    action: 'ram:GetThing',
    resource: `acs:ram:*:${req.accountId}:thing/${req.params.name}`,
  }),
  handle: (req) => {
    handled.push(req.params.name);
    return {
      Thing: { Name: req.params.name, Caller: req.principal.type },
      List: { Item: ['a', 'b'] },
    };
  },
});
const publicThing = defineAction({
  service: 'sts',
  name: 'PublicThing',
  anonymous: true,
  params: { parse: () => ({}) },
  handle: (req) => ({ Ok: true, Caller: req.principal.type, Account: req.accountId }),
});
const brokenThing = defineAction({
  service: 'ram',
  name: 'BrokenThing',
  params: { parse: () => ({}) },
  handle: () => {
    throw new Error('database password is hunter2');
  },
});

/** How many times authentication looked a key up in the store. */
let lookups: number;
/** The Name of every GetThing call that reached its handler. */
let handled: string[];
let keys: Map<string, SigningKey>;
let nonces: Set<string>;
let userPolicies: PolicyInput[];
let version: number;
let logged: unknown[];
let env: PipelineEnv;

beforeEach(() => {
  keys = new Map([
    ['AKROOT', { accessKeyId: 'AKROOT', secret: 'rootsecret', status: 'Active', principal: root }],
    ['AKALICE', { accessKeyId: 'AKALICE', secret: 'alicesecret', status: 'Active', principal: alice }],
    ['AKOFF', { accessKeyId: 'AKOFF', secret: 'offsecret', status: 'Inactive', principal: alice }],
  ]);
  nonces = new Set();
  lookups = 0;
  handled = [];
  userPolicies = [];
  version = 1;
  logged = [];
  const services: Services = {
    credentials: {
      findSigningKey: async (id) => {
        lookups++;
        return keys.get(id);
      },
      findSessionPrincipal: async () => undefined,
    },
    nonces: {
      claim: async (id, nonce) => {
        const k = `${id}/${nonce}`;
        if (nonces.has(k)) return false;
        nonces.add(k);
        return true;
      },
    },
    policies: {
      identityPolicies: async (p) => (p.type === 'RAMUser' ? [...userPolicies] : []),
      permissionsVersion: async () => version,
    },
    names: {
      storedName: async () => undefined,
      systemPolicyName: async () => undefined,
      userNameBy: async () => undefined,
    },
    roles: { findRole: async () => undefined },
    tokens: createTokenReader(sealer),
    sealer,
    domain: {} as Domain,
  };
  env = {
    registry: createRegistry([getThing, publicThing, brokenThing]),
    services,
    authorizer: createAuthorizer(services.policies, sealer),
    logError: (_id, err) => logged.push(err),
  };
});

const HOST = '127.0.0.1:8080';

function v3(
  action: string,
  query: [string, string][],
  key = { id: 'AKROOT', secret: 'rootsecret' },
  over: { now?: Date; nonce?: string; headers?: Record<string, string>; version?: string } = {},
): WireRequest {
  const headers = signRequestV3({
    method: 'POST',
    host: HOST,
    action,
    version: over.version ?? '2015-05-01',
    query,
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    ...(over.now ? { now: over.now } : {}),
    ...(over.nonce ? { nonce: over.nonce } : {}),
  });
  return {
    method: 'POST',
    path: '/',
    rawQuery: query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
    headers: { ...headers, ...over.headers },
    body: Buffer.alloc(0),
    sourceIp: '::ffff:10.1.2.3',
    secure: false,
  };
}

function v2(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  key = { id: 'AKROOT', secret: 'rootsecret' },
  over: { timestamp?: string; nonce?: string; omit?: readonly string[] } = {},
): WireRequest {
  const all: Record<string, string> = {
    Version: '2015-05-01',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: over.nonce ?? Math.random().toString(16).slice(2),
    Timestamp: over.timestamp ?? formatTimestamp(new Date()),
    ...params,
  };
  for (const name of over.omit ?? []) delete all[name];
  const pairs = Object.entries(all);
  const signature = createHmac('sha1', `${key.secret}&`)
    .update(stringToSignV2(method, pairs))
    .digest('base64');
  const text = [...pairs, ['Signature', signature]]
    .map(([k, v]) => `${percentEncode(k!)}=${percentEncode(v!)}`)
    .join('&');
  return formRequest(method, text);
}

/** Encoded parameters sent as the query of a GET or the form body of a POST. */
function formRequest(method: 'GET' | 'POST', text: string): WireRequest {
  return method === 'GET'
    ? {
        method,
        path: '/',
        rawQuery: text,
        headers: { host: HOST },
        body: Buffer.alloc(0),
        sourceIp: '10.0.0.1',
        secure: false,
      }
    : {
        method,
        path: '/',
        rawQuery: '',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(text),
        sourceIp: '10.0.0.1',
        secure: false,
      };
}

/** Go's url.QueryEscape: A-Z a-z 0-9 - _ . ~ kept, space as `+`, every other byte %XX. */
function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: sorted by name, `name=value` escaped with QueryEscape, joined by `&`. */
function goValuesEncode(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k]!)}`)
    .join('&');
}

/**
 * A V2 request as the aliyungo RAM client sends it: the query (or form body) is
 * url.Values.Encode (a space is `+`), and the signature is CreateSignatureForRequest over
 * percentReplace(values.Encode()) (`+` -> %20, `*` -> %2A, %7E -> ~).
 */
function goV2(method: 'GET' | 'POST', params: Record<string, string>): WireRequest {
  const values: Record<string, string> = {
    Version: '2015-05-01',
    AccessKeyId: 'AKROOT',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: Math.random().toString(16).slice(2),
    Timestamp: formatTimestamp(new Date()),
    Format: 'JSON',
    ...params,
  };
  const canonical = goValuesEncode(values).replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  values.Signature = createHmac('sha1', 'rootsecret&')
    .update(`${method}&%2F&${goQueryEscape(canonical)}`)
    .digest('base64');
  const text = goValuesEncode(values);
  return formRequest(method, text);
}

async function call(w: WireRequest) {
  const r = await runPipeline(env, w);
  return {
    status: r.status,
    headers: r.headers,
    body: r.body,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
    json: () => JSON.parse(r.body) as Record<string, any>,
  };
}

describe('the request path', () => {
  it('lists its steps in order', () => {
    expect(STEPS.map((s) => s.name)).toEqual([
      'protocolStep',
      'authenticateStep',
      'lookupActionStep',
      'validateParamsStep',
      'authorizeStep',
      'handleStep',
    ]);
  });

  it('answers a V3 call of the root in JSON with RequestId in body and header', async () => {
    const r = await call(v3('GetThing', [['Name', 'x y*']]));
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ Thing: { Name: 'x y*', Caller: 'Root' }, List: { Item: ['a', 'b'] } });
    expect(body.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(r.headers['x-acs-request-id']).toBe(body.RequestId);
  });

  it.each(['GET', 'POST'] as const)('answers a V2 %s call without Format in XML', async (method) => {
    const r = await call(v2(method, { Action: 'GetThing', Name: 'n' }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(r.body).toContain('<GetThingResponse><RequestId>');
    expect(r.body).toContain('<List><Item>a</Item><Item>b</Item></List>');
  });

  it('answers a V2 call with Format=JSON in JSON', async () => {
    const r = await call(v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }));
    expect(r.json()).toMatchObject({ Thing: { Name: 'n' } });
  });

  it('serves an anonymous action unsigned, and refuses unsigned calls of other actions', async () => {
    const ok = await call({
      method: 'POST',
      path: '/',
      rawQuery: 'Action=PublicThing&Version=2015-04-01&Format=JSON',
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: '10.0.0.1',
      secure: false,
    });
    expect(ok.json()).toMatchObject({ Ok: true, Caller: 'Anonymous', Account: '' });
    const refused = await call({
      method: 'POST',
      path: '/',
      rawQuery: 'Action=GetThing&Version=2015-05-01&Format=JSON&Name=x',
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: '10.0.0.1',
      secure: false,
    });
    expect(refused.status).toBe(400);
    expect(refused.json()).toMatchObject({
      Code: 'MissingParameter',
      Message:
        'The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied.',
    });
  });

  it('does not authenticate an anonymous action even when the client signed it', async () => {
    const r = await call(v3('PublicThing', [], { id: 'AKFOREIGN', secret: 'x' }, { version: '2015-04-01' }));
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ Ok: true, Caller: 'Anonymous' });
  });

  it.each([
    [
      'an unknown key',
      { id: 'AKNONE', secret: 'x' },
      404,
      'InvalidAccessKeyId.NotFound',
      'Specified access key is not found.',
    ],
    [
      'an inactive key',
      { id: 'AKOFF', secret: 'offsecret' },
      400,
      'InvalidAccessKeyId.Inactive',
      'Specified access key is disabled.',
    ],
  ])('refuses %s', async (_what, key, status, code, message) => {
    const r = await call(v3('GetThing', [['Name', 'x']], key));
    expect(r.status).toBe(status);
    expect(r.json()).toMatchObject({ Code: code, Message: message, HostId: 'ram.aliyuncs.com' });
  });

  it('refuses a wrong signature with the server string to sign', async () => {
    const r = await call(v3('GetThing', [['Name', 'x']], { id: 'AKROOT', secret: 'wrong' }));
    expect(r.status).toBe(400);
    const body = r.json() as { Code: string; Message: string };
    expect(body.Code).toBe('SignatureDoesNotMatch');
    expect(body.Message).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/,
    );
  });

  it('refuses a V2 wrong signature with the V2 string to sign', async () => {
    const r = await call(
      v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, { id: 'AKROOT', secret: 'bad' }),
    );
    const body = r.json() as { Code: string; Message: string };
    expect(body.Code).toBe('SignatureDoesNotMatch');
    expect(body.Message).toContain(
      'server string to sign is:GET&%2F&AccessKeyId%3DAKROOT%26Action%3DGetThing',
    );
  });

  describe('a space sent as + and signed as %20 (standard form encoding)', () => {
    const pretty = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow' }] }, null, 2);

    it.each(['GET', 'POST'] as const)(
      'verifies a V2 %s call and hands over the value with spaces',
      async (method) => {
        const w = goV2(method, { Action: 'GetThing', Name: `hello world ${pretty}` });
        const sent = method === 'GET' ? w.rawQuery : w.body.toString();
        expect(sent).toContain('Name=hello+world+%7B%0A++%22Version');
        const r = await call(w);
        expect(r.status).toBe(200);
        expect(r.json().Thing.Name).toBe(`hello world ${pretty}`);
      },
    );

    it('verifies a V3 call whose query carries the space as +', async () => {
      const w = v3('GetThing', [['Name', 'Alice Smith']]);
      expect(w.rawQuery).toBe('Name=Alice%20Smith');
      const r = await call({ ...w, rawQuery: goValuesEncode({ Name: 'Alice Smith' }) });
      expect(r.status).toBe(200);
      expect(r.json().Thing.Name).toBe('Alice Smith');
    });

    it('still reads %2B as a plus sign, V2 and V3', async () => {
      const w = goV2('GET', { Action: 'GetThing', Name: 'a+b c' });
      expect(w.rawQuery).toContain('Name=a%2Bb+c');
      expect((await call(w)).json().Thing.Name).toBe('a+b c');
      const w3 = v3('GetThing', [['Name', 'a+b c']]);
      const r3 = await call({ ...w3, rawQuery: 'Name=a%2Bb+c' });
      expect(r3.json().Thing.Name).toBe('a+b c');
    });

    it('refuses a + that was signed as a plus sign', async () => {
      // A client that signs `a+b` but sends `+` unescaped: the server reads `a b`, so the
      // signature cannot match (a plus sign must travel as %2B).
      const w = v3('GetThing', [['Name', 'a+b']]);
      const r = await call({ ...w, rawQuery: 'Name=a+b' });
      expect([r.status, r.json().Code]).toEqual([400, 'SignatureDoesNotMatch']);
    });
  });

  it('refuses a replayed nonce, V3 and V2', async () => {
    expect((await call(v3('GetThing', [['Name', 'x']], undefined, { nonce: 'n1' }))).status).toBe(200);
    const again = await call(v3('GetThing', [['Name', 'x']], undefined, { nonce: 'n1' }));
    expect([again.status, again.json().Code, again.json().Message]).toEqual([
      400,
      'SignatureNonceUsed',
      'Specified signature nonce was used already.',
    ]);
    expect(
      (await call(v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { nonce: 'n2' })))
        .status,
    ).toBe(200);
    const v2again = await call(
      v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { nonce: 'n2' }),
    );
    expect(v2again.json().Code).toBe('SignatureNonceUsed');
  });

  describe('the length of SignatureNonce', () => {
    const message = 'The parameter - "SignatureNonce" must be 1 to 128 characters long.';

    it.each([
      [
        'V2, 129 characters',
        () =>
          v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { nonce: 'n'.repeat(129) }),
      ],
      [
        'V2, 27,000 characters',
        () =>
          v2('POST', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, {
            nonce: 'n'.repeat(27_000),
          }),
      ],
      ['V3, 129 characters', () => v3('GetThing', [['Name', 'x']], undefined, { nonce: 'n'.repeat(129) })],
      [
        'V3, empty',
        () => v3('GetThing', [['Name', 'x']], undefined, { headers: { 'x-acs-signature-nonce': '' } }),
      ],
    ])('refuses %s before any store work', async (_what, build) => {
      const r = await call(build());
      expect([r.status, r.json().Code, r.json().Message]).toEqual([400, 'InvalidParameter', message]);
      expect(lookups).toBe(0);
      expect(nonces.size).toBe(0);
      expect(handled).toEqual([]);
    });

    it('accepts 128 characters, V2 and V3', async () => {
      const n = 'n'.repeat(127);
      const r2 = await call(
        v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { nonce: `${n}2` }),
      );
      expect(r2.status).toBe(200);
      expect((await call(v3('GetThing', [['Name', 'x']], undefined, { nonce: `${n}3` }))).status).toBe(200);
    });

    it('refuses an empty V2 SignatureNonce as missing', async () => {
      const r = await call(
        v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { nonce: '' }),
      );
      expect(r.json().Code).toBe('MissingParameter');
      expect(lookups).toBe(0);
    });
  });

  describe('the cost of a request before its caller is known', () => {
    /** A form body of `count` parameters (`P0=v&P1=v&...`), about 3 bytes each, and a V2 signature that is wrong. */
    function flood(count: number): WireRequest {
      const signed = v2(
        'POST',
        { Action: 'GetThing', Name: 'n', Format: 'JSON' },
        { id: 'AKROOT', secret: 'bad' },
      );
      const extra = Array.from({ length: count }, (_, i) => `${(i % 26).toString(36)}${i}=v`).join('&');
      return { ...signed, body: Buffer.concat([signed.body, Buffer.from(`&${extra}`)]) };
    }

    it('refuses more than 1,000 parameters before authentication, without a lookup', async () => {
      const w = flood(330_000);
      expect(w.body.length).toBeGreaterThan(900_000);
      const r = await call(w);
      expect([r.status, r.json().Code, r.json().Message]).toEqual([
        400,
        'InvalidParameter',
        'The request carries more than 1000 parameters (query and form body together).',
      ]);
      expect(lookups).toBe(0);
      expect(r.body.length).toBeLessThan(1000);
      // Only the first 1,001 pairs are read (test/api/protocol/request.test.ts): the whole body
      // was about a second's work before.
    });

    it('counts the query and the form body together', async () => {
      const w = v2('POST', { Action: 'GetThing', Name: 'n', Format: 'JSON' });
      const query = Array.from({ length: 600 }, (_, i) => `Q${i}=v`).join('&');
      const form = Array.from({ length: 400 }, (_, i) => `F${i}=v`).join('&');
      const r = await call({ ...w, rawQuery: query, body: Buffer.concat([w.body, Buffer.from(`&${form}`)]) });
      expect([r.status, r.json().Code]).toEqual([400, 'InvalidParameter']);
      expect(lookups).toBe(0);
    });

    it('accepts 1,000 parameters', async () => {
      const params: Record<string, string> = { Action: 'GetThing', Name: 'n', Format: 'JSON' };
      // Seven are the protocol's: Version, AccessKeyId, SignatureMethod, SignatureVersion,
      // SignatureNonce, Timestamp and Signature.
      for (let i = 0; i < 1000 - 3 - 7; i++) params[`P${i}`] = 'v';
      const w = v2('POST', params);
      expect(w.body.toString().split('&')).toHaveLength(1000);
      expect((await call(w)).status).toBe(200);
    });

    it('echoes at most 2,048 characters of the string to sign', async () => {
      const w = v2(
        'POST',
        { Action: 'GetThing', Name: 'x'.repeat(200_000), Format: 'JSON' },
        { id: 'AKROOT', secret: 'bad' },
      );
      const r = await call(w);
      const body = r.json() as { Code: string; Message: string };
      expect(body.Code).toBe('SignatureDoesNotMatch');
      const prefix = 'Specified signature is not matched with our calculation. server string to sign is:';
      expect(body.Message.startsWith(`${prefix}POST&%2F&AccessKeyId%3DAKROOT%26Action%3DGetThing`)).toBe(
        true,
      );
      const m = /\.\.\.\[truncated: (\d+) characters in all\]$/.exec(body.Message);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(200_000);
      expect(body.Message.length).toBe(prefix.length + 2048 + m![0].length);
      expect(r.body.length).toBeLessThan(3000);
    });
  });

  it('refuses an expired or malformed timestamp', async () => {
    const old = await call(
      v3('GetThing', [['Name', 'x']], undefined, { now: new Date(Date.now() - 16 * 60_000) }),
    );
    expect([old.status, old.json().Code, old.json().Message]).toEqual([
      400,
      'InvalidTimeStamp.Expired',
      'Specified time stamp or date value is expired.',
    ]);
    const bad = await call(
      v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { timestamp: 'yesterday' }),
    );
    expect([bad.json().Code, bad.json().Message]).toEqual([
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
    ]);
  });

  it('refuses a V2 call missing a signature parameter', async () => {
    const w = v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' });
    const r = await call({ ...w, rawQuery: w.rawQuery.replace(/&Timestamp=[^&]*/, '') });
    expect(r.json()).toMatchObject({
      Code: 'MissingParameter',
      Message:
        'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
    });
  });

  it('never routes a V2 call by an unsigned x-acs-action header', async () => {
    // Signed without Action; the header is not covered by a V2 signature.
    const w = v2('GET', { Name: 'n', Format: 'JSON' });
    const r = await call({
      ...w,
      headers: { ...w.headers, 'x-acs-action': 'GetThing', 'x-acs-version': '2015-05-01' },
    });
    expect([r.status, r.json().Code, r.json().Message]).toEqual([
      400,
      'MissingParameter',
      'The input parameter "Action" that is mandatory for processing this request is not supplied.',
    ]);
    expect(handled).toEqual([]);
    // The same for Version: a signed Action, signed without Version, with an x-acs-version header.
    const wv = v2('GET', { Action: 'GetThing', Name: 'n', Format: 'JSON' }, undefined, { omit: ['Version'] });
    expect(wv.rawQuery).not.toMatch(/(^|&)Version=/);
    const rv = await call({ ...wv, headers: { ...wv.headers, 'x-acs-version': '2015-05-01' } });
    expect([rv.status, rv.json().Code, rv.json().Message]).toEqual([
      400,
      'MissingParameter',
      'The input parameter "Version" that is mandatory for processing this request is not supplied.',
    ]);
    expect(handled).toEqual([]);
  });

  it('routes a V3 call by its signed headers, never by an Action parameter', async () => {
    const w = v3('GetThing', [
      ['Name', 'x'],
      ['Action', 'PublicThing'],
    ]);
    const r = await call(w);
    expect(r.status).toBe(200);
    expect(r.json().Thing).toMatchObject({ Name: 'x', Caller: 'Root' });
  });

  it.each(['x-acs-action', 'x-acs-version'])(
    'refuses a V3 call whose signature leaves out %s',
    async (name) => {
      const w = v3('GetThing', [['Name', 'x']]);
      const auth = String(w.headers.authorization).replace(new RegExp(`;${name}(?=[;,])`), '');
      expect(auth).not.toContain(name);
      const r = await call({ ...w, headers: { ...w.headers, authorization: auth } });
      expect(r.json()).toMatchObject({
        Code: 'IncompleteSignature',
        Message: `The request signature does not conform to Aliyun standards. The header "${name}" must be present and signed.`,
      });
      expect(handled).toEqual([]);
    },
  );

  it('refuses a V3 call whose signature leaves out a mandatory header', async () => {
    const w = v3('GetThing', [['Name', 'x']]);
    const auth = String(w.headers.authorization).replace('x-acs-signature-nonce;', '');
    const r = await call({ ...w, headers: { ...w.headers, authorization: auth } });
    expect(r.json()).toMatchObject({
      Code: 'IncompleteSignature',
      Message:
        'The request signature does not conform to Aliyun standards. The header "x-acs-signature-nonce" must be present and signed.',
    });
  });

  it('answers security tokens with InvalidSecurityToken.Malformed', async () => {
    const r = await call(
      v3('GetThing', [['Name', 'x']], undefined, { headers: { 'x-acs-security-token': 'tok' } }),
    );
    expect([r.status, r.json().Code, r.json().Message]).toEqual([
      400,
      'InvalidSecurityToken.Malformed',
      'Specified SecurityToken is malformed.',
    ]);
  });

  it('refuses an unknown Action or Version', async () => {
    for (const w of [
      v3('NoSuchThing', []),
      v3('GetThing', [['Name', 'x']], undefined, { version: '2099-01-01' }),
    ]) {
      const r = await call(w);
      expect([r.status, r.json().Code, r.json().Message]).toEqual([
        400,
        'InvalidParameter',
        'The specified parameter "Action or Version" is not valid.',
      ]);
    }
  });

  it('answers a parameter error of the action', async () => {
    const r = await call(v3('GetThing', []));
    expect(r.json()).toMatchObject({
      Code: 'MissingParameter',
      Message: 'Name is mandatory for this action.',
    });
  });

  it('turns an unexpected failure into InternalError without its message, and logs it', async () => {
    const r = await call(v3('BrokenThing', []));
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('hunter2');
    expect(r.json()).toMatchObject({ Code: 'InternalError' });
    expect(logged).toHaveLength(1);
  });

  it('refuses a RAM user without a policy, explains why, and follows attach and detach on the next request', async () => {
    const aliceKey = { id: 'AKALICE', secret: 'alicesecret' };
    const denied = await call(v3('GetThing', [['Name', 'x']], aliceKey));
    expect(denied.status).toBe(403);
    const body = denied.json() as {
      Code: string;
      Message: string;
      AccessDeniedDetail: Record<string, string>;
    };
    expect(body.Code).toBe('NoPermission');
    expect(body.Message).toBe('You are not authorized to do this action. You should be authorized by RAM.');
    expect(body.AccessDeniedDetail).toMatchObject({
      AuthAction: 'ram:GetThing',
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: '200000000000001',
      AuthPrincipalOwnerId: ACCOUNT,
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: 'ImplicitDeny',
    });
    const decoded = decodeDiagnostic(sealer, body.AccessDeniedDetail.EncodedDiagnosticMessage!);
    expect(decoded.accountId).toBe(ACCOUNT);
    expect(decoded.message).toMatchObject({
      ExplicitDeny: false,
      AuthAction: 'ram:GetThing',
      AuthResource: `acs:ram:*:${ACCOUNT}:thing/x`,
      AuthPrincipal: { AuthPrincipalType: 'SubUser', AuthPrincipalOwnerId: ACCOUNT },
    });
    expect(decoded.message.Explanation.length).toBeGreaterThan(10);
    expect(decoded.message.AuthConditions).toContainEqual({
      ConditionKey: 'acs:SourceIp',
      ConditionValues: ['10.1.2.3'],
    });

    userPolicies = [
      {
        name: 'ThingReader',
        type: 'Custom',
        version: 'v1',
        attachedTo: 'user',
        document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:GetThing', Resource: '*' }] },
      },
    ];
    version++;
    expect((await call(v3('GetThing', [['Name', 'x']], aliceKey))).status).toBe(200);

    userPolicies.push({
      name: 'NoX',
      type: 'Custom',
      version: 'v1',
      attachedTo: 'user',
      document: { Version: '1', Statement: [{ Effect: 'Deny', Action: 'ram:*', Resource: '*' }] },
    });
    version++;
    const explicit = await call(v3('GetThing', [['Name', 'x']], aliceKey));
    expect(explicit.status).toBe(403);
    const ed = explicit.json() as { AccessDeniedDetail: Record<string, string> };
    expect(ed.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    const d2 = decodeDiagnostic(sealer, ed.AccessDeniedDetail.EncodedDiagnosticMessage!);
    expect(d2.message.ExplicitDeny).toBe(true);
    expect(d2.message.MatchedPolicies[0]).toMatchObject({ PolicyName: 'NoX', Effect: 'Deny', Matched: true });

    userPolicies = [];
    version++;
    expect((await call(v3('GetThing', [['Name', 'x']], aliceKey))).status).toBe(403);
  });

  it('refuses a V3 body that does not match its signed hash', async () => {
    const w = v3('GetThing', [['Name', 'x']]);
    const r = await call({
      ...w,
      headers: { ...w.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('Name=y'),
    });
    expect([r.status, r.json().Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('takes acs:SourceIp from the TCP peer, never from X-Forwarded-For', async () => {
    const w = v3('GetThing', [['Name', 'x']], { id: 'AKALICE', secret: 'alicesecret' });
    const r = await call({ ...w, headers: { ...w.headers, 'x-forwarded-for': '203.0.113.9' } });
    const encoded = (r.json() as { AccessDeniedDetail: { EncodedDiagnosticMessage: string } })
      .AccessDeniedDetail.EncodedDiagnosticMessage;
    expect(decodeDiagnostic(sealer, encoded).message.AuthConditions).toContainEqual({
      ConditionKey: 'acs:SourceIp',
      ConditionValues: ['10.1.2.3'],
    });
  });

  it('refuses a method other than GET and POST in the negotiated format', async () => {
    const w = v3('GetThing', [['Name', 'x']]);
    const r = await call({ ...w, method: 'PUT' });
    expect([r.status, r.json().Code]).toEqual([400, 'UnsupportedHTTPMethod']);
  });

  it('lets the root act on its own account without policies', async () => {
    expect((await call(v3('GetThing', [['Name', 'x']]))).status).toBe(200);
  });
});
