import * as OpenApi from '@alicloud/openapi-client';
import * as Ram from '@alicloud/ram20150501';
import RamClientModule from '@alicloud/ram20150501';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrMatcher, clientAddress } from '../../src/server.js';
import { parseTrustedProxies } from '../../src/config.js';
import { rampartJson, serve, tempDir, type Served } from '../helpers/cli.js';
import { popClient, type KeyPair } from '../helpers/server.js';

/**
 * The transport: HTTPS (acs:SecureTransport, Strict-Transport-Security), trusted proxies
 * (acs:SourceIp and SecureTransport from X-Forwarded-For / -Proto, only from a trusted peer), header and body
 * timeouts that hold close to their configured values, and one log line for a request the
 * client abandons.
 */

type RamClientClass = typeof RamClientModule.default;
const RamClient: RamClientClass =
  (RamClientModule as unknown as { default?: RamClientClass }).default ??
  (RamClientModule as unknown as RamClientClass);

/** The official V3 client over HTTPS, trusting the test's self-signed certificate. */
function httpsClient(host: string, keys: KeyPair, ca: string): InstanceType<RamClientClass> {
  const config = new OpenApi.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    endpoint: host,
    protocol: 'https',
    regionId: 'cn-hangzhou',
    ca,
  });
  return new RamClient(config as unknown as ConstructorParameters<RamClientClass>[0]);
}

function httpClient(host: string, keys: KeyPair): InstanceType<RamClientClass> {
  const config = new OpenApi.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    endpoint: host,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  return new RamClient(config as unknown as ConstructorParameters<RamClientClass>[0]);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

/** The Strict-Transport-Security header of a GET of `path` (over https, trusting `ca`). */
function hstsOf(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  ca?: string,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const send = base.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(`${base}${path}`, { headers, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      const h = res.headers['strict-transport-security'];
      resolve(Array.isArray(h) ? h.join(', ') : h);
    });
    req.on('error', reject);
    req.end();
  });
}

const HSTS = 'max-age=31536000';

const scratch = tempDir('rampart-transport-');
const dataDir = join(scratch.dir, 'data');
const certFile = join(scratch.dir, 'cert.pem');
const keyFile = join(scratch.dir, 'key.pem');
let root: KeyPair;
let secureOnly: KeyPair;
let fromDocs: KeyPair;
const servers: Served[] = [];

async function started(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const s = await serve(['--data', dataDir, ...args], env);
  servers.push(s);
  return s;
}

/** A RAM user with an AccessKey and one custom policy: Allow ram:ListGroups under `condition`. */
async function userWith(
  client: InstanceType<RamClientClass>,
  name: string,
  condition: object,
): Promise<KeyPair> {
  await client.createUser(new Ram.CreateUserRequest({ userName: name }));
  const k = await client.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: name }));
  await client.createPolicy(
    new Ram.CreatePolicyRequest({
      policyName: `${name}-policy`,
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'ram:ListGroups', Resource: '*', Condition: condition }],
      }),
    }),
  );
  await client.attachPolicyToUser(
    new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: `${name}-policy`, userName: name }),
  );
  return {
    accessKeyId: k.body!.accessKey!.accessKeyId!,
    accessKeySecret: k.body!.accessKey!.accessKeySecret!,
  };
}

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const init = await rampartJson<{ AccessKeyId: string; AccessKeySecret: string }>([
    'init',
    '--data',
    dataDir,
    '--root-access-key',
  ]);
  root = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  scratch.remove();
});

describe('HTTPS', () => {
  it('serves the official client over https, where acs:SecureTransport is true', async () => {
    const ca = readFileSync(certFile, 'utf8');
    const tls = await started(['--tls-cert', certFile, '--tls-key', keyFile]);
    expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(tls.output()).toContain(`listening on ${tls.url}`);
    const admin = httpsClient(tls.host, root, ca);
    secureOnly = await userWith(admin, 'secure-only', { Bool: { 'acs:SecureTransport': 'true' } });

    const overHttps = await httpsClient(tls.host, secureOnly, ca).listGroups(new Ram.ListGroupsRequest({}));
    expect(overHttps.statusCode).toBe(200);

    const plain = await started([]);
    expect(plain.url).toMatch(/^http:\/\//);
    expect(await code(httpClient(plain.host, secureOnly).listGroups(new Ram.ListGroupsRequest({})))).toBe(
      'NoPermission',
    );
    // The certificate is checked: a client that does not trust it never connects.
    const untrusted = httpsClient(tls.host, secureOnly, '');
    expect(await code(untrusted.listGroups(new Ram.ListGroupsRequest({})))).not.toBe('OK');
  });

  it('tells browsers to keep to HTTPS on every answer over TLS, and never over plain HTTP', async () => {
    const ca = readFileSync(certFile, 'utf8');
    const tls = await started(['--tls-cert', certFile, '--tls-key', keyFile]);
    // Health, the logon surface (a refusal too), the console, the API's error envelope.
    for (const path of ['/healthz', '/logon/session', '/console/', '/?Action=ListUsers'])
      expect([path, await hstsOf(tls.url, path, {}, ca)]).toEqual([path, HSTS]);
    const plain = await started([]);
    expect(await hstsOf(plain.url, '/healthz')).toBeUndefined();
    // Without trusted proxies, a client's X-Forwarded-Proto proves nothing.
    expect(await hstsOf(plain.url, '/healthz', { 'x-forwarded-proto': 'https' })).toBeUndefined();
  });

  it('refuses a certificate without its key, on one line', async () => {
    const r = await rampartJson(['init', '--data', join(scratch.dir, 'other')]).then(() =>
      serve(['--data', join(scratch.dir, 'other'), '--tls-cert', certFile]).catch((e: Error) => e.message),
    );
    expect(String(r)).toContain('rampart serve: HTTPS needs both --tls-cert FILE and --tls-key FILE');
  });
});

describe('trusted proxies', () => {
  const FROM_DOCS = { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' } };

  it('takes the client address and scheme from X-Forwarded-For / -Proto of a trusted peer only', async () => {
    const trusting = await started(['--trusted-proxies', '127.0.0.1/32']);
    fromDocs = await userWith(httpClient(trusting.host, root), 'from-docs', FROM_DOCS);
    const list = (s: Served, keys: KeyPair, headers: Record<string, string>) =>
      code(popClient({ endpoint: s.url }, keys).request('ListGroups', {}, { headers }));

    expect(await list(trusting, fromDocs, { 'x-forwarded-for': '203.0.113.9' })).toBe('OK');
    // Left of the right-most untrusted address is whatever the client wrote: not believed.
    expect(await list(trusting, fromDocs, { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' })).toBe(
      'NoPermission',
    );
    expect(await list(trusting, fromDocs, {})).toBe('NoPermission');
    // X-Forwarded-Proto: https from the trusted peer makes the request secure.
    expect(await list(trusting, secureOnly, { 'x-forwarded-proto': 'https' })).toBe('OK');
    expect(await list(trusting, secureOnly, { 'x-forwarded-proto': 'http' })).toBe('NoPermission');

    // A peer outside the trusted blocks, or no trusted proxies at all: both headers ignored.
    const elsewhere = await started([], { RAMPART_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32' });
    const none = await started([]);
    for (const s of [elsewhere, none]) {
      expect(await list(s, fromDocs, { 'x-forwarded-for': '203.0.113.9' })).toBe('NoPermission');
      expect(await list(s, secureOnly, { 'x-forwarded-proto': 'https' })).toBe('NoPermission');
    }
  });

  it('sends Strict-Transport-Security when a trusted proxy says https, not when it says http', async () => {
    const trusting = await started(['--trusted-proxies', '127.0.0.1/32']);
    expect(await hstsOf(trusting.url, '/healthz', { 'x-forwarded-proto': 'https' })).toBe(HSTS);
    expect(await hstsOf(trusting.url, '/logon/session', { 'x-forwarded-proto': 'https' })).toBe(HSTS);
    expect(await hstsOf(trusting.url, '/healthz', { 'x-forwarded-proto': 'http' })).toBeUndefined();
    expect(await hstsOf(trusting.url, '/healthz')).toBeUndefined();
  });

  it.each([
    // peer, X-Forwarded-For, X-Forwarded-Proto, tls -> sourceIp, secure
    ['127.0.0.1', '203.0.113.9', undefined, false, '203.0.113.9', false],
    ['::ffff:127.0.0.1', '203.0.113.9', 'https', false, '203.0.113.9', true],
    ['127.0.0.1', '203.0.113.9, 10.1.2.3, 127.0.0.1', undefined, false, '203.0.113.9', false],
    ['127.0.0.1', '198.51.100.1, 203.0.113.9', undefined, false, '203.0.113.9', false],
    ['127.0.0.1', 'garbage, 203.0.113.9:4711', undefined, false, '203.0.113.9', false],
    ['127.0.0.1', '203.0.113.9, garbage', undefined, false, '127.0.0.1', false],
    ['127.0.0.1', '10.0.0.1, 10.0.0.2', undefined, false, '10.0.0.1', false],
    ['127.0.0.1', '[2001:db8::7]:443', 'https, http', true, '2001:db8::7', false],
    ['127.0.0.1', undefined, undefined, true, '127.0.0.1', true],
    ['192.0.2.1', '203.0.113.9', 'https', false, '192.0.2.1', false],
  ])('peer %s, XFF %s, XFP %s, tls %s -> %s, secure %s', (peer, xff, xfp, tls, ip, secure) => {
    const trusted = cidrMatcher(parseTrustedProxies('127.0.0.1/32,10.0.0.0/8'));
    const headers = {
      ...(xff ? { 'x-forwarded-for': xff } : {}),
      ...(xfp ? { 'x-forwarded-proto': xfp } : {}),
    };
    expect(clientAddress(peer, tls, headers, trusted)).toEqual({ sourceIp: ip, secure });
  });

  it('refuses a malformed block', () => {
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(
      'trusted proxies: 10.0.0.0/33 has an invalid prefix length',
    );
    expect(() => parseTrustedProxies('proxy.local')).toThrow('is not an IPv4/IPv6 address or CIDR block');
  });
});

/** Opens a TCP connection, writes `text`, and resolves with the ms until the server closes it. */
function stall(port: number, text: string, limitMs: number): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let reply = '';
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (c: Buffer) => (reply += c.toString()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a stalled request open for ${limitMs} ms`));
    }, limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, reply });
    });
    socket.on('error', () => undefined);
  });
}

describe('timeouts and abandoned requests', () => {
  it('cuts a client that is slow with its headers or its body close to the configured limits', async () => {
    const s = await started([], { RAMPART_HEADERS_TIMEOUT_MS: '1000', RAMPART_REQUEST_TIMEOUT_MS: '2000' });
    const [headers, body] = await Promise.all([
      stall(s.port, 'POST / HTTP/1.1\r\nHost: x\r\n', 6000),
      stall(s.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=', 6000),
    ]);
    expect(headers.ms).toBeGreaterThanOrEqual(950);
    expect(headers.ms).toBeLessThan(1700);
    expect(headers.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(body.ms).toBeGreaterThanOrEqual(1950);
    expect(body.ms).toBeLessThan(2700);
  });

  it('logs one line, no stack, for a request abandoned mid-body', async () => {
    const s = await started([]);
    await new Promise<void>((resolve) => {
      const socket = connect(s.port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAction=ListUsers&');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
    });
    const deadline = Date.now() + 3000;
    while (!s.output().includes('body bytes') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const lines = s.output().split('\n');
    expect(lines.filter((l) => l.includes('body bytes'))).toEqual([
      'request from 127.0.0.1 ended after 17 of 1000 body bytes: the client closed the connection or the request timed out',
    ]);
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
  });

  it('refuses a headers timeout above the request timeout', async () => {
    const r = await serve([], {
      RAMPART_DATA: dataDir,
      RAMPART_HEADERS_TIMEOUT_MS: '5000',
      RAMPART_REQUEST_TIMEOUT_MS: '1000',
    }).catch((e: Error) => e.message);
    expect(String(r)).toContain(
      'rampart serve: RAMPART_HEADERS_TIMEOUT_MS must not exceed RAMPART_REQUEST_TIMEOUT_MS',
    );
  });
});
