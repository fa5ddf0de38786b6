import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequestV3 } from '../auth/signature-v3.js';
import { actionParams, checkCall, didYouMean, productActions, productVersion, PRODUCTS } from './metadata.js';
import {
  CredentialsError,
  resolveCredentials,
  type CallCredentials,
  type CredentialFetchers,
  type TemporaryCredentials,
} from './profile.js';

/**
 * `rampart <product> <Action> --Param value ...`, in the style of the aliyun CLI: the call is
 * checked against the API metadata (an unknown action or parameter, or a missing required one,
 * is refused before anything is sent, with the likely name), signed with V3 like the official
 * SDKs (POST /, parameters in the query, empty body), and its result printed as JSON, or as a
 * table with `--output cols=A,B rows=Path[]`. `--pager` follows Marker / NextToken through
 * every page; `--dryrun` prints the signed request instead of sending it; `--quiet` prints
 * nothing on success. An API error exits 1 with the error JSON on stderr; a usage error exits 2.
 */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

/** Options of the command itself; every other --Name is an API parameter. */
const VALUE_OPTIONS = new Set(['profile', 'endpoint', 'region', 'config-path']);
const FLAG_OPTIONS = new Set(['dryrun', 'quiet', 'help']);

export interface OutputSpec {
  readonly cols: readonly string[];
  /** A path to the rows: `Users.User[]`; absent: the answer itself is the one row. */
  readonly rows?: string;
}

export interface ParsedCall {
  readonly product: string;
  /** Undefined for `rampart <product> --help`. */
  readonly action?: string;
  readonly params: [string, string][];
  readonly profile?: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly configPath?: string;
  readonly output?: OutputSpec;
  /** `--pager` alone: the first list of the answer; `--pager path=Users.User[]`: that list. */
  readonly pager?: { readonly path?: string };
  readonly dryrun: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {}

export function parseCallArgs(argv: readonly string[]): ParsedCall {
  const [product, second, ...more] = argv;
  if (!product || !PRODUCTS.concat('actiontrail').includes(product)) {
    const guess = product ? didYouMean(product, PRODUCTS) : undefined;
    throw new UsageError(`unknown product: ${product ?? ''}${guess ? `; did you mean ${guess}?` : ''}`);
  }
  const action = second && !second.startsWith('-') ? second : undefined;
  const rest = action ? more : argv.slice(1);
  const params: [string, string][] = [];
  const own: Record<string, string> = {};
  const flags = new Set<string>();
  let output: OutputSpec | undefined;
  let pager: { path?: string } | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--') || arg.length < 3) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (FLAG_OPTIONS.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (name === 'output') {
      if (output) throw new UsageError('--output is given more than once');
      // `--output cols=A rows=B[]`, or `--output=cols=A rows=B[]`.
      const words = eq > 0 ? [arg.slice(eq + 1)] : [];
      while (rest[i + 1] !== undefined && /^(cols|rows)=/.test(rest[i + 1]!)) words.push(rest[++i]!);
      const spec: { cols?: string[]; rows?: string } = {};
      for (const word of words) {
        const [k, v] = word.split(/=(.*)/s) as [string, string | undefined];
        if (k === 'cols' && v !== undefined) spec.cols = v.split(',').filter((c) => c !== '');
        else if (k === 'rows' && v !== undefined) spec.rows = v;
        else throw new UsageError(`--output takes cols=A,B[,...] and rows=Path[], not ${word}`);
      }
      if (!spec.cols?.length)
        throw new UsageError('--output needs cols=A,B[,...] (and optionally rows=Path[])');
      output = { cols: spec.cols, ...(spec.rows ? { rows: spec.rows } : {}) };
      continue;
    }
    if (name === 'pager') {
      if (pager) throw new UsageError('--pager is given more than once');
      const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (inline !== undefined && !inline.startsWith('path='))
        throw new UsageError(`--pager takes path=Path[], not ${inline}`);
      const next = inline ?? rest[i + 1];
      if (inline === undefined && next?.startsWith('path=')) i++;
      pager = next?.startsWith('path=') ? { path: next.slice(5) } : {};
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = rest[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    // A name given twice is refused, as the aliyun CLI does: which one counts would be a guess.
    if (VALUE_OPTIONS.has(name)) {
      if (own[name] !== undefined) throw new UsageError(`--${name} is given more than once`);
      own[name] = value;
    } else {
      if (params.some(([n]) => n === name)) throw new UsageError(`--${name} is given more than once`);
      params.push([name, value]);
    }
  }
  return {
    product,
    ...(action ? { action } : {}),
    params,
    ...(own.profile !== undefined ? { profile: own.profile } : {}),
    ...(own.endpoint !== undefined ? { endpoint: own.endpoint } : {}),
    ...(own.region !== undefined ? { region: own.region } : {}),
    ...(own['config-path'] !== undefined ? { configPath: own['config-path'] } : {}),
    ...(output ? { output } : {}),
    ...(pager ? { pager } : {}),
    dryrun: flags.has('dryrun'),
    quiet: flags.has('quiet'),
    help: flags.has('help'),
  };
}

/** `H:P` or a full URL to a base URL; UsageError for anything else. */
export function endpointUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  } catch {
    throw new UsageError(`invalid endpoint: ${endpoint} (H:P or a base URL)`);
  }
  // A user name or password in the endpoint would not be sent: refused rather than dropped.
  // The endpoint is not repeated, so that its password is not printed.
  if (url.username || url.password)
    throw new UsageError('invalid endpoint: it holds a user name or password (H:P or a base URL)');
  if (url.pathname !== '/' || url.search || url.hash)
    throw new UsageError(`the endpoint must be H:P or a base URL: ${endpoint}`);
  return url;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

function send(
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  path: string,
): Promise<HttpAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path,
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

/** A signed API call: its method, path and headers. */
export function signCall(
  url: URL,
  version: string,
  action: string,
  params: readonly [string, string][],
  creds: Pick<CallCredentials, 'accessKeyId' | 'accessKeySecret' | 'securityToken'>,
): { path: string; headers: Record<string, string> } {
  const headers = signRequestV3({
    method: 'POST',
    host: url.host,
    action,
    version,
    query: params,
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
  });
  headers['user-agent'] = 'rampart-cli';
  const query = new URLSearchParams(params as [string, string][]).toString().replace(/\+/g, '%20');
  return { path: `/?${query}`, headers };
}

/** Signs and sends one call; the JSON answer, or an ApiCallError with the error body. */
export async function apiCall(
  url: URL,
  version: string,
  action: string,
  params: readonly [string, string][],
  creds: CallCredentials,
): Promise<Record<string, unknown>> {
  const { path, headers } = signCall(url, version, action, params, creds);
  const answer = await send('POST', url, headers, path);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (answer.status < 200 || answer.status >= 300 || typeof body !== 'object' || body === null) {
    throw new ApiCallError(answer.status, answer.body);
  }
  return body as Record<string, unknown>;
}

/** One V3-signed API call of a product (POST /, parameters in the query); the HTTP status and body. */
export function signedCall(
  url: URL,
  creds: Pick<CallCredentials, 'accessKeyId' | 'accessKeySecret' | 'securityToken'>,
  product: string,
  action: string,
  params: [string, string][],
): Promise<HttpAnswer> {
  const { path, headers } = signCall(url, productVersion(product)!, action, params, creds);
  return send('POST', url, headers, path);
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the API answered ${status}`);
    this.name = 'ApiCallError';
  }
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { Code?: string }).Code;
    } catch {
      return undefined;
    }
  }
}

function temporary(body: Record<string, unknown>, what: string): TemporaryCredentials {
  const c = (body.Credentials ?? body) as Record<string, unknown>;
  const ok = ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'].every(
    (k) => typeof c[k] === 'string' && c[k] !== '',
  );
  if (!ok) throw new CredentialsError(`${what} answered no usable credentials`);
  return {
    accessKeyId: c.AccessKeyId as string,
    accessKeySecret: c.AccessKeySecret as string,
    securityToken: c.SecurityToken as string,
    expiration: c.Expiration as string,
  };
}

/** AssumeRole and credentials URIs over HTTP, for the profile modes that need them. */
export function networkFetchers(defaultEndpoint: string): CredentialFetchers {
  return {
    async assumeRole(source, endpoint, role) {
      const url = endpointUrl(endpoint ?? defaultEndpoint);
      const body = await apiCall(
        url,
        '2015-04-01',
        'AssumeRole',
        [
          ['RoleArn', role.arn],
          ['RoleSessionName', role.sessionName],
          ['DurationSeconds', String(role.durationSeconds)],
          ...(role.externalId ? ([['ExternalId', role.externalId]] as [string, string][]) : []),
        ],
        source,
      );
      return temporary(body, `AssumeRole of ${role.arn}`);
    },
    async fetchUri(uri) {
      const url = new URL(uri);
      const answer = await send('GET', new URL(url.origin), {}, `${url.pathname}${url.search}`);
      if (answer.status !== 200) {
        throw new CredentialsError(
          `the credentials URI answered ${answer.status}: ${answer.body.slice(0, 200)}`,
        );
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        throw new CredentialsError('the credentials URI answered something that is not JSON');
      }
      return temporary(body, 'the credentials URI');
    },
    async fromSession(endpoint, cookie) {
      const { refreshFromSession } = await import('./login.js');
      try {
        return await refreshFromSession(endpointUrl(endpoint), cookie);
      } catch (err) {
        throw new CredentialsError(
          `the session of this profile has ended (${(err as Error).message}): run rampart login`,
        );
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

/** The value at `A.B.C` (a trailing `[]` marks a list). */
function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path
    .replace(/\[\]$/, '')
    .split('.')
    .filter((p) => p !== '')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The first list in the answer, depth first (Users.User, Groups.Group, ...). */
function firstListPath(value: unknown, prefix = ''): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) return p;
    const deeper = firstListPath(v, p);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * A value as one table cell: a control character (a newline would break the row, an escape
 * sequence would reach the terminal) is written as its JSON escape, `\n`, `\u001b`.
 */
function cell(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** A table as the aliyun CLI prints `--output cols=... rows=...`. */
export function table(answer: unknown, spec: OutputSpec): string {
  const rows = spec.rows ? at(answer, spec.rows) : [answer];
  const list = Array.isArray(rows) ? rows : rows === undefined ? [] : [rows];
  const cells = list.map((r) =>
    spec.cols.map((c) => {
      const v = at(r, c);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : cell(String(v));
    }),
  );
  const widths = spec.cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((x, i) => x.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(spec.cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function usageOfProduct(product: string): string {
  const actions = Object.keys(productActions(product) ?? {}).sort();
  return [
    `rampart ${product} <Action> [--Param value ...] [--profile P] [--endpoint E] [--output cols=A,B rows=Path[]] [--pager] [--dryrun] [--quiet]`,
    '',
    `Actions of ${product} ${productVersion(product) ?? ''}:`,
    ...actions.map((a) => `  ${a}`),
  ].join('\n');
}

function usageOfAction(product: string, action: string): string {
  const params = actionParams(product, action) ?? [];
  const width = Math.max(8, ...params.map((p) => p.name.length + 2));
  return [
    `rampart ${product} ${action} [--Param value ...]`,
    '',
    params.length ? 'Parameters (* required):' : 'No parameters.',
    ...params.map(
      (p) =>
        `  ${(p.required ? '*' : ' ') + ` --${p.name}`.padEnd(width + 2)} ${p.type}${p.encoding === 'json' ? ' (a JSON string)' : p.encoding === 'flattened' ? ' (flattened: Name.1, Name.1.Key)' : ''}${p.hint ? `  ${p.hint}` : ''}`,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

export async function runCall(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let call: ParsedCall;
  try {
    call = parseCallArgs(argv);
  } catch (err) {
    process.stderr.write(`rampart: ${(err as Error).message}\n`);
    return 2;
  }
  const actions = productActions(call.product) ?? {};
  if (!call.action) {
    if (call.help) {
      process.stdout.write(`${usageOfProduct(call.product)}\n`);
      return 0;
    }
    process.stderr.write(
      `rampart: usage: rampart ${call.product} <Action> [--Param value ...] (rampart ${call.product} --help lists them)\n`,
    );
    return 2;
  }
  const action = call.action;
  if (!Object.hasOwn(actions, action)) {
    const guess = didYouMean(action, Object.keys(actions));
    process.stderr.write(
      `rampart: unknown action ${action} of ${call.product}${guess ? `; did you mean ${guess}?` : ''}\n`,
    );
    return 2;
  }
  if (call.help) {
    process.stdout.write(`${usageOfAction(call.product, action)}\n`);
    return 0;
  }
  const problems = checkCall(
    call.product,
    action,
    call.params.map(([n]) => n),
  );
  if (problems.length) {
    process.stderr.write(problems.map((p) => `rampart: ${p}\n`).join(''));
    return 2;
  }
  if (call.pager && !actions[action]!.paging) {
    process.stderr.write(`rampart: --pager: ${action} does not page\n`);
    return 2;
  }
  const version = productVersion(call.product)!;
  let resolved;
  let url: URL;
  try {
    // An endpoint given is checked before any credentials are fetched (and sent there).
    if (call.endpoint !== undefined) endpointUrl(call.endpoint);
    const fallback = env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT;
    resolved = await resolveCredentials({
      endpoint: call.endpoint ?? (env.RAMPART_ENDPOINT || undefined),
      profile: call.profile,
      configPath: call.configPath,
      env,
      fetchers: networkFetchers(call.endpoint ?? fallback),
    });
    url = endpointUrl(call.endpoint ?? (env.RAMPART_ENDPOINT || resolved.endpoint || DEFAULT_ENDPOINT));
  } catch (err) {
    if (err instanceof CredentialsError || err instanceof UsageError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ApiCallError) {
      process.stderr.write(`rampart: getting the profile's credentials failed:\n${pretty(err.body)}\n`);
      return 1;
    }
    process.stderr.write(`rampart: getting the profile's credentials failed: ${(err as Error).message}\n`);
    return 1;
  }
  if (call.dryrun) {
    const { path, headers } = signCall(url, version, action, call.params, resolved.credentials);
    const request = redactedRequest(path, headers);
    const shown = Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`);
    process.stdout.write(`POST ${url.origin}${request.path}\n${shown.join('\n')}\n`);
    process.stderr.write(
      'rampart: dry run: nothing was sent; the signature and security token are not shown, so the request cannot be replayed\n',
    );
    return 0;
  }
  let answer: Record<string, unknown>;
  try {
    answer = call.pager
      ? await allPages(url, version, call.product, action, call.params, resolved.credentials, call.pager.path)
      : await apiCall(url, version, action, call.params, resolved.credentials);
  } catch (err) {
    if (err instanceof ApiCallError) {
      process.stderr.write(`${pretty(err.body)}\n`);
      return 1;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`rampart: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`rampart: cannot reach ${url.origin}: ${(err as Error).message}\n`);
    return 1;
  }
  if (!call.quiet) {
    process.stdout.write(`${call.output ? table(answer, call.output) : JSON.stringify(answer, null, 2)}\n`);
  }
  return 0;
}

/** Every page of a paged action, its list merged into the first answer. */
async function allPages(
  url: URL,
  version: string,
  product: string,
  action: string,
  params: readonly [string, string][],
  creds: CallCredentials,
  path: string | undefined,
): Promise<Record<string, unknown>> {
  const paging = productActions(product)?.[action]?.paging;
  if (!paging) throw new UsageError(`${action} does not page`);
  const base = params.filter(([n]) => n !== paging);
  const first = await apiCall(url, version, action, params, creds);
  const listPath = path?.replace(/\[\]$/, '') ?? firstListPath(first);
  if (!listPath) return first;
  if (!Array.isArray(at(first, listPath)))
    throw new UsageError(`--pager path=${path}: the answer of ${action} has no list at ${listPath}`);
  const items = [...((at(first, listPath) as unknown[]) ?? [])];
  let page = first;
  for (let n = 0; n < 100_000; n++) {
    const token = page[paging] as string | undefined;
    const more = paging === 'Marker' ? page.IsTruncated === true && token : token;
    if (!more) break;
    page = await apiCall(url, version, action, [...base, [paging, token!]], creds);
    items.push(...((at(page, listPath) as unknown[]) ?? []));
  }
  // The merged answer: the first one with the whole list, and no further page to ask for.
  const merged = structuredClone(first);
  const parts = listPath.split('.');
  let holder = merged as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) holder = holder[p] as Record<string, unknown>;
  holder[parts.at(-1)!] = items;
  delete merged[paging];
  if (paging === 'Marker') merged.IsTruncated = false;
  return merged;
}

/** What `--dryrun` shows of a signed request: the signature and the security token masked. */
export function redactedRequest(
  path: string,
  headers: Readonly<Record<string, string>>,
): { path: string; headers: Record<string, string> } {
  const shown: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'x-acs-security-token') shown[k] = '<security token: not shown>';
    else if (k.toLowerCase() === 'authorization')
      shown[k] = v.replace(/([,\s]Signature=)[^,\s]*/i, '$1<not shown>');
    else shown[k] = v;
  }
  // A signature or token in the query (the V2 and RPC forms) is masked as well.
  const masked = path.replace(
    /([?&](?:Signature|SecurityToken)=)[^&]*/gi,
    (_, name: string) => `${name}${encodeURIComponent('<not shown>')}`,
  );
  return { path: masked, headers: shown };
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
