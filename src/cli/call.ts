import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequestV3 } from '../auth/signature-v3.js';
import { CredentialsError, resolveCredentials } from './profile.js';

/**
 * `rampart <product> <Action> --Param value ...`, in the style of the aliyun CLI: signs the
 * call with V3 (ACS3-HMAC-SHA256) like the official SDKs (POST /, parameters in the query,
 * empty body), prints the result JSON on stdout; an API error exits 1 with the error JSON
 * on stderr. List parameters of RAM are given as JSON strings and pass through unchanged.
 */
export const PRODUCT_VERSIONS: Readonly<Record<string, string>> = {
  ram: '2015-05-01',
  ims: '2019-08-15',
  sts: '2015-04-01',
  resourcemanager: '2020-03-31',
  actiontrail: '2020-07-06',
};

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

/** Options of the command itself; every other --Name is an API parameter. */
const OWN_OPTIONS = new Set(['profile', 'endpoint', 'region']);

export interface ParsedCall {
  readonly product: string;
  readonly action: string;
  readonly params: [string, string][];
  readonly profile?: string;
  readonly endpoint?: string;
}

export class UsageError extends Error {}

export function parseCallArgs(argv: readonly string[]): ParsedCall {
  const [product, action, ...rest] = argv;
  if (!product || !(product in PRODUCT_VERSIONS)) throw new UsageError(`unknown product: ${product ?? ''}`);
  if (!action || action.startsWith('-'))
    throw new UsageError(`usage: rampart ${product} <Action> [--Param value ...]`);
  const params: [string, string][] = [];
  const own: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--') || arg.length < 3) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    let name: string;
    let value: string;
    if (eq > 0) {
      name = arg.slice(2, eq);
      value = arg.slice(eq + 1);
    } else {
      name = arg.slice(2);
      const next = rest[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    if (OWN_OPTIONS.has(name)) own[name] = value;
    else params.push([name, value]);
  }
  return {
    product,
    action,
    params,
    ...(own.profile !== undefined ? { profile: own.profile } : {}),
    ...(own.endpoint !== undefined ? { endpoint: own.endpoint } : {}),
  };
}

/** `H:P` or a full URL to a base URL. */
export function endpointUrl(endpoint: string): URL {
  const url = new URL(/^https?:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  if (url.pathname !== '/' || url.search)
    throw new UsageError(`the endpoint must be H:P or a base URL: ${endpoint}`);
  return url;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

function send(url: URL, headers: Record<string, string>, query: string): Promise<HttpAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `/?${query}`,
        headers,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the request timed out')));
    req.on('error', reject);
    req.end();
  });
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One V3-signed API call (POST /, parameters in the query); the HTTP status and body. */
export function signedCall(
  url: URL,
  creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined },
  product: string,
  action: string,
  params: [string, string][],
): Promise<HttpAnswer> {
  const headers = signRequestV3({
    method: 'POST',
    host: url.host,
    action,
    version: PRODUCT_VERSIONS[product]!,
    query: params,
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
  });
  headers['user-agent'] = 'rampart-cli';
  const query = new URLSearchParams(params).toString().replace(/\+/g, '%20');
  return send(url, headers, query);
}

export async function runCall(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let call: ParsedCall;
  let url: URL;
  try {
    call = parseCallArgs(argv);
    url = endpointUrl(call.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT));
  } catch (err) {
    process.stderr.write(`rampart: ${(err as Error).message}\n`);
    return 2;
  }
  let creds;
  try {
    creds = resolveCredentials(call.profile, env);
  } catch (err) {
    if (err instanceof CredentialsError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let answer: HttpAnswer;
  try {
    answer = await signedCall(url, creds, call.product, call.action, call.params);
  } catch (err) {
    process.stderr.write(`rampart: cannot reach ${url.origin}: ${(err as Error).message}\n`);
    return 1;
  }
  if (answer.status >= 200 && answer.status < 300) {
    process.stdout.write(`${pretty(answer.body)}\n`);
    return 0;
  }
  process.stderr.write(`${pretty(answer.body)}\n`);
  return 1;
}
