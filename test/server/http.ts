/** Raw signed requests for tests that need to send what the official clients never send. */
import { createHmac, randomBytes } from 'node:crypto';
import { percentEncode } from '../../src/auth/percent-encode.js';
import { stringToSignV2 } from '../../src/auth/signature-v2.js';
import { formatTimestamp, signRequestV3 } from '../../src/auth/signature-v3.js';
import type { KeyPair, TestServer } from '../helpers/server.js';

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly requestId: string | null;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  json(): Record<string, any>;
}

const encode = (pairs: readonly (readonly [string, string])[]): string =>
  pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');

async function answer(res: Response): Promise<RawAnswer> {
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    requestId: res.headers.get('x-acs-request-id'),
    text,
    json: () => JSON.parse(text) as Record<string, never>,
  };
}

export interface V3Options {
  readonly version?: string;
  readonly now?: Date;
  readonly nonce?: string;
  readonly headers?: Record<string, string>;
  /** Sign with this secret instead of the key's own. */
  readonly secret?: string;
}

/** A V3-signed POST / with the parameters in the query, like the official SDKs send it. */
export async function v3Call(
  server: Pick<TestServer, 'host' | 'endpoint'>,
  key: KeyPair,
  action: string,
  params: Record<string, string> = {},
  opts: V3Options = {},
): Promise<RawAnswer> {
  const query = Object.entries(params);
  const headers = signRequestV3({
    method: 'POST',
    host: server.host,
    action,
    version: opts.version ?? '2015-05-01',
    query,
    accessKeyId: key.accessKeyId,
    accessKeySecret: opts.secret ?? key.accessKeySecret,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.nonce ? { nonce: opts.nonce } : {}),
  });
  delete headers.host;
  const res = await fetch(`${server.endpoint}/?${encode(query)}`, {
    method: 'POST',
    headers: { ...headers, ...opts.headers },
  });
  return answer(res);
}

export interface V2Options {
  readonly method?: 'GET' | 'POST';
  readonly timestamp?: string;
  readonly nonce?: string;
  readonly secret?: string;
}

/** A V2-signed call, GET with every parameter in the query or POST with a form body. */
export async function v2Call(
  server: Pick<TestServer, 'host' | 'endpoint'>,
  key: KeyPair,
  params: Record<string, string>,
  opts: V2Options = {},
): Promise<RawAnswer> {
  const method = opts.method ?? 'GET';
  const pairs = Object.entries({
    Version: '2015-05-01',
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce ?? randomBytes(16).toString('hex'),
    Timestamp: opts.timestamp ?? formatTimestamp(new Date()),
    ...params,
  });
  const signature = createHmac('sha1', `${opts.secret ?? key.accessKeySecret}&`)
    .update(stringToSignV2(method, pairs))
    .digest('base64');
  const text = encode([...pairs, ['Signature', signature]]);
  const res =
    method === 'GET'
      ? await fetch(`${server.endpoint}/?${text}`)
      : await fetch(`${server.endpoint}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: text,
        });
  return answer(res);
}

/** An unsigned request. */
export async function unsignedCall(
  server: Pick<TestServer, 'host' | 'endpoint'>,
  query: string,
): Promise<RawAnswer> {
  return answer(await fetch(`${server.endpoint}/?${query}`, { method: 'POST' }));
}
