/**
 * `rampart policy simulate`: would this request be allowed, and why?
 *
 *   policy simulate --action A --resource R [--context KEY=VALUE ...]
 *                   (--user U | --role R | --principal ARN | --access-key-id ID)
 *       asks the server's authorization point (POST /authorize) about a principal of the
 *       caller's account, with its live policies, groups, control policies and resource policy;
 *       credentials and endpoint as `rampart <product> <Action>` takes them.
 *   policy simulate --action A --resource R [--context ...] --group G
 *       decides with the group's attached policies as stored now (read through the API).
 *   policy simulate --action A --resource R [--context ...] --policy FILE [--policy FILE ...]
 *       decides with the given identity policy documents only, offline (no server, no store).
 *
 * Prints the decision and its explanation (--format json: one object). Exits 0 whatever the
 * decision, 1 when the server refuses the question, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Command } from 'commander';
import { contextValue } from '../api/authorization-point.js';
import { signRequestV3 } from '../auth/signature-v3.js';
import { ApiError } from '../errors.js';
import {
  evaluate,
  explainDecision,
  validatePolicy,
  type ContextValue,
  type RequestPrincipal,
} from '../policy/index.js';
import { apiCall, ApiCallError, DEFAULT_ENDPOINT, endpointUrl, networkFetchers } from './call.js';
import { CredentialsError, resolveCredentials, type CallCredentials } from './profile.js';

export interface SimulateFlags {
  readonly action: string;
  readonly resource: string;
  readonly context?: readonly string[];
  readonly principal?: string;
  readonly user?: string;
  readonly role?: string;
  readonly group?: string;
  readonly accessKeyId?: string;
  readonly policy?: readonly string[];
  readonly format?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly configPath?: string;
}

export interface SimulateAnswer {
  readonly Decision: string;
  readonly Principal?: string;
  readonly Action: string;
  readonly Resource: string;
  readonly Explanation: string;
}

class SimulateInputError extends Error {}

/** `KEY=VALUE` flags to the authorization point's Context: a repeated key is multi-valued. */
export function parseContextFlags(flags: readonly string[]): Record<string, (string | number | boolean)[]> {
  // Without a prototype: `__proto__` is a valid condition key (one without a service prefix).
  const out = Object.create(null) as Record<string, (string | number | boolean)[]>;
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new SimulateInputError(`--context wants KEY=VALUE, not ${JSON.stringify(flag)}`);
    const key = flag.slice(0, eq);
    const text = flag.slice(eq + 1);
    const value: string | number | boolean =
      text === 'true' ? true : text === 'false' ? false : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    const existing = Object.keys(out).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
    (out[existing] ??= []).push(value);
  }
  return out;
}

function readPolicy(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new SimulateInputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const issues = validatePolicy(text, 'permission');
  if (issues.length > 0) {
    throw new SimulateInputError(`${file}: ${issues.map((i) => `${i.code}: ${i.message}`).join('; ')}`);
  }
  return text;
}

/** The principal an offline simulation speaks for: the ARN given, or a RAM user of the resource's account. */
function offlinePrincipal(arn: string | undefined, resource: string): RequestPrincipal {
  const account = /^acs:[^:]*:[^:]*:(\d{16}):/.exec(resource)?.[1] ?? '1234567890123456';
  if (!arn)
    return {
      type: 'RAMUser',
      accountId: account,
      arn: `acs:ram::${account}:user/simulated`,
      name: 'simulated',
    };
  const m = /^acs:ram::(\d{16}):(root|user\/(.+)|assumed-role\/([^/]+)\/(.+)|role\/(.+))$/i.exec(arn);
  if (!m) {
    throw new SimulateInputError(
      `--principal must be acs:ram::<account>:root, ...:user/<name>, ...:role/<name> or ...:assumed-role/<role>/<session>`,
    );
  }
  const accountId = m[1]!;
  if (m[2] === 'root') return { type: 'Root', accountId, arn: `acs:ram::${accountId}:root` };
  if (m[3] !== undefined) return { type: 'RAMUser', accountId, arn, name: m[3] };
  const role = m[4] ?? m[6]!;
  const session = m[5] ?? 'simulated';
  return {
    type: 'AssumedRole',
    accountId,
    arn: `acs:ram::${accountId}:assumed-role/${role}/${session}`,
    roleArn: `acs:ram::${accountId}:role/${role}`,
    name: session,
  };
}

/** Decides offline with the given identity policies (files, or documents read for a group). */
export function simulateOffline(
  flags: SimulateFlags,
  documents?: readonly { name: string; type: 'System' | 'Custom'; document: string }[],
): SimulateAnswer {
  const principal = offlinePrincipal(flags.principal, flags.resource);
  const given = parseContextFlags(flags.context ?? []);
  const context = Object.create(null) as Record<string, ContextValue>;
  try {
    for (const [k, v] of Object.entries(given)) context[k] = contextValue(k, v);
  } catch (err) {
    throw new SimulateInputError(err instanceof ApiError ? err.message : String(err));
  }
  const identity = documents
    ? documents.map((d) => ({ ...d, attachedTo: `group:${flags.group ?? ''}` }))
    : (flags.policy ?? []).map((file, i) => ({
        name: file === '-' ? `policy-${i + 1}` : file,
        type: 'Custom' as const,
        attachedTo: 'user',
        document: readPolicy(file),
      }));
  const decision = evaluate(
    { identity },
    { principal, action: flags.action, resource: flags.resource, context },
  );
  return {
    Decision: decision.decision,
    ...(principal.arn ? { Principal: principal.arn } : {}),
    Action: flags.action,
    Resource: flags.resource,
    Explanation: explainDecision(decision),
  };
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        method: 'POST',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: '/authorize',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
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
    req.end(body);
  });
}

export class SimulateRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the authorization point answered ${status}: ${body}`);
  }
}

interface Connection {
  readonly url: URL;
  readonly creds: CallCredentials;
}

async function connect(flags: SimulateFlags, env: NodeJS.ProcessEnv): Promise<Connection> {
  const fallback = flags.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT);
  const resolved = await resolveCredentials({
    endpoint: flags.endpoint ?? (env.RAMPART_ENDPOINT || undefined),
    profile: flags.profile,
    configPath: flags.configPath,
    env,
    fetchers: networkFetchers(fallback),
  });
  const url = endpointUrl(flags.endpoint ?? (env.RAMPART_ENDPOINT || resolved.endpoint || DEFAULT_ENDPOINT));
  return { url, creds: resolved.credentials };
}

/** A RAM call; an API error becomes SimulateRefused (exit 1, the error JSON on stderr). */
async function ram(
  c: Connection,
  action: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  try {
    return await apiCall(c.url, '2015-05-01', action, Object.entries(params), c.creds);
  } catch (err) {
    if (err instanceof ApiCallError) throw new SimulateRefused(err.status, err.body);
    throw err;
  }
}

/** The caller's account, from sts:GetCallerIdentity. */
async function callerAccount(c: Connection): Promise<string> {
  try {
    const who = await apiCall(c.url, '2015-04-01', 'GetCallerIdentity', [], c.creds);
    return String(who.AccountId);
  } catch (err) {
    if (err instanceof ApiCallError) throw new SimulateRefused(err.status, err.body);
    throw err;
  }
}

/** The principal's ARN in the caller's account, for --user and --role. */
async function principalArnOf(c: Connection, flags: SimulateFlags): Promise<string | undefined> {
  if (flags.principal) return flags.principal;
  if (flags.user === undefined && flags.role === undefined) return undefined;
  const account = await callerAccount(c);
  return flags.user !== undefined
    ? `acs:ram::${account}:user/${flags.user}`
    : `acs:ram::${account}:role/${flags.role ?? ''}`;
}

/** A group's attached policies as stored now, for an offline decision. */
async function groupDocuments(
  c: Connection,
  group: string,
): Promise<{ name: string; type: 'System' | 'Custom'; document: string }[]> {
  const listed = await ram(c, 'ListPoliciesForGroup', { GroupName: group });
  const policies = ((listed.Policies as { Policy?: unknown[] } | undefined)?.Policy ?? []) as {
    PolicyName: string;
    PolicyType: 'System' | 'Custom';
  }[];
  const out: { name: string; type: 'System' | 'Custom'; document: string }[] = [];
  for (const p of policies) {
    const got = await ram(c, 'GetPolicy', { PolicyName: p.PolicyName, PolicyType: p.PolicyType });
    const version = got.DefaultPolicyVersion as { PolicyDocument?: string } | undefined;
    if (typeof version?.PolicyDocument === 'string') {
      out.push({ name: p.PolicyName, type: p.PolicyType, document: version.PolicyDocument });
    }
  }
  return out;
}

/** Decides with a group's attached policies, read through the API. */
export async function simulateGroup(flags: SimulateFlags, env: NodeJS.ProcessEnv): Promise<SimulateAnswer> {
  const c = await connect(flags, env);
  const account = await callerAccount(c);
  const documents = await groupDocuments(c, flags.group ?? '');
  const answer = simulateOffline(
    { ...flags, principal: `acs:ram::${account}:user/member-of-${flags.group ?? ''}` },
    documents,
  );
  const { Principal: _p, ...rest } = answer;
  void _p;
  return {
    ...rest,
    Explanation: `${answer.Explanation}\n(The group's attached policies only: a member's own policies, its other groups and control policies also take part in its decisions.)`,
  };
}

/** Asks the server's authorization point. */
export async function simulateLive(flags: SimulateFlags, env: NodeJS.ProcessEnv): Promise<SimulateAnswer> {
  const c = await connect(flags, env);
  const { url } = c;
  const arn = await principalArnOf(c, flags);
  const context = parseContextFlags(flags.context ?? []);
  const body = JSON.stringify({
    Action: flags.action,
    Resource: flags.resource,
    ...(arn ? { Arn: arn } : { AccessKeyId: flags.accessKeyId }),
    ...(Object.keys(context).length > 0 ? { Context: context } : {}),
  });
  const creds = c.creds;
  const { host: _host, ...headers } = signRequestV3({
    method: 'POST',
    path: '/authorize',
    host: url.host,
    action: 'Authorize',
    version: '2015-05-01',
    query: [],
    body,
    contentType: 'application/json',
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
  });
  void _host;
  const answer = await post(url, { ...headers, 'user-agent': 'rampart-cli' }, body);
  if (answer.status !== 200) throw new SimulateRefused(answer.status, answer.body);
  const json = JSON.parse(answer.body) as SimulateAnswer & { RequestId?: string };
  return {
    Decision: json.Decision,
    ...(json.Principal ? { Principal: json.Principal } : {}),
    Action: json.Action,
    Resource: json.Resource,
    Explanation: json.Explanation,
  };
}

export function formatSimulation(a: SimulateAnswer): string {
  return [
    `Decision:  ${a.Decision}`,
    ...(a.Principal ? [`Principal: ${a.Principal}`] : []),
    `Action:    ${a.Action}`,
    `Resource:  ${a.Resource}`,
    '',
    a.Explanation,
  ].join('\n');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerSimulate(policy: Command): void {
  policy
    .command('simulate')
    .description(
      'Decide one request: for a live principal through the server (--principal / --access-key-id), or offline with --policy files',
    )
    .requiredOption('--action <action>', 'the action, e.g. oss:GetObject')
    .requiredOption('--resource <arn>', 'the resource ARN')
    .option(
      '--context <key=value>',
      'a condition key and value (repeat; a repeated key is multi-valued)',
      collect,
    )
    .option('--user <name>', "a RAM user of the caller's account (live)")
    .option('--role <name>', "a role of the caller's account: a session of it (live)")
    .option('--group <name>', "the group's attached policies as stored now")
    .option('--principal <arn>', 'acs:ram::<account>:root, ...:user/<name> or ...:role/<name>')
    .option('--access-key-id <id>', 'the principal that owns this AccessKey (live only)')
    .option('--policy <file>', 'decide offline with this identity policy document (repeat)', collect)
    .option('--format <format>', 'text (default) or json', 'text')
    .option('--profile <name>', 'profile of the configuration file (live)')
    .option('--endpoint <endpoint>', 'H:P or a base URL (or RAMPART_ENDPOINT; live)')
    .option('--config-path <path>', 'the configuration file (live)')
    .action(async (flags: SimulateFlags) => {
      try {
        if (flags.format !== 'text' && flags.format !== 'json') {
          throw new SimulateInputError('--format is text or json');
        }
        const offline = (flags.policy ?? []).length > 0;
        const named = [flags.user, flags.role, flags.group, flags.principal, flags.accessKeyId].filter(
          (x) => x !== undefined,
        ).length;
        if (offline && named > (flags.principal === undefined ? 0 : 1)) {
          throw new SimulateInputError('with --policy files, only --principal may name who asks');
        }
        if (!offline && named !== 1) {
          throw new SimulateInputError(
            'name one principal (--user, --role, --group, --principal or --access-key-id), or give --policy files',
          );
        }
        const answer = offline
          ? simulateOffline(flags)
          : flags.group !== undefined
            ? await simulateGroup(flags, process.env)
            : await simulateLive(flags, process.env);
        process.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(answer, null, 2)}\n` : `${formatSimulation(answer)}\n`,
        );
        process.exitCode = 0;
      } catch (err) {
        if (err instanceof SimulateRefused) {
          process.stderr.write(`${err.body}\n`);
          process.exitCode = 1;
          return;
        }
        process.stderr.write(
          `rampart policy simulate: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        process.exitCode = err instanceof SimulateInputError || err instanceof CredentialsError ? 2 : 1;
      }
    });
}
