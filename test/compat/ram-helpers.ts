/**
 * Helpers of the RAM compatibility tests: calls through the official clients by wire name,
 * the errors they raise, unique names, the stores to run on, and a check of response bodies
 * against the SDK response models.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as Ram from '@alicloud/ram20150501';
import { expect } from 'vitest';
import {
  pgAvailable,
  pgSkipReason,
  popClient,
  ramClient,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';

// Bodies are JSON of many shapes; tests index into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

// ---------------------------------------------------------------------------------------------
// The SDK surface (test/fixtures/api-surface.json)

export interface ShapeField {
  readonly name: string;
  readonly prop: string;
  readonly type: string;
  readonly model?: string;
  readonly fields?: readonly ShapeField[];
  readonly items?: {
    readonly type: string;
    readonly model?: string;
    readonly fields?: readonly ShapeField[];
  };
}

export interface SurfaceOperation {
  readonly action: string;
  readonly sdkMethod: string;
  readonly request: { readonly model: string | null; readonly params: readonly ShapeField[] };
  readonly response: { readonly body: readonly ShapeField[] };
}

const surface = JSON.parse(
  readFileSync(new URL('../fixtures/api-surface.json', import.meta.url), 'utf8'),
) as {
  products: { package: string; operations: SurfaceOperation[] }[];
};

export const RAM_OPERATIONS: readonly SurfaceOperation[] = surface.products.find(
  (p) => p.package === '@alicloud/ram20150501',
)!.operations;

const OPS = new Map(RAM_OPERATIONS.map((o) => [o.action, o]));

// ---------------------------------------------------------------------------------------------
// Stores

export type StoreKind = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when RAMPART_TEST_DATABASE_URL is set (with a visible note otherwise). */
export const STORES: readonly StoreKind[] = pgAvailable ? ['sqlite', 'postgres'] : ['sqlite'];
if (!pgAvailable) console.warn(`[compat] ${pgSkipReason}`);

// ---------------------------------------------------------------------------------------------
// Calls

type SdkModels = Record<string, new (map: Record<string, unknown>) => unknown>;

/**
 * Calls an operation of an official V3 client by wire name, with parameters and result by
 * wire name: the result is the SDK's own response model turned back into wire names
 * (`toMap()`), i.e. exactly what the SDK read. `models` is the SDK package (its model classes),
 * `ops` its operations from the API surface.
 */
export function sdkCaller<C>(sdk: unknown, ops: ReadonlyMap<string, SurfaceOperation>, product: string) {
  const models = sdk as SdkModels;
  const toModel = (field: ShapeField, value: unknown): unknown => {
    if (field.type === 'array' && field.items?.model && Array.isArray(value)) {
      const Item = models[field.items.model]!;
      return value.map((v: Record<string, unknown>) => {
        const props: Record<string, unknown> = {};
        for (const f of field.items!.fields ?? []) if (v[f.name] !== undefined) props[f.prop] = v[f.name];
        return new Item(props);
      });
    }
    return value;
  };
  return async (client: C, action: string, params: Record<string, unknown> = {}): Promise<Json> => {
    const op = ops.get(action);
    if (!op) throw new Error(`no ${product} operation ${action}`);
    const method = (
      client as unknown as Record<string, (req?: unknown) => Promise<{ statusCode: number; body: Json }>>
    )[op.sdkMethod]!.bind(client);
    let res: { statusCode: number; body: Json };
    if (op.request.model === null) {
      res = await method();
    } else {
      const props: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(params)) {
        const field = op.request.params.find((f) => f.name === name);
        if (!field) throw new Error(`${action} has no parameter ${name}`);
        props[field.prop] = toModel(field, value);
      }
      res = await method(new models[op.request.model]!(props));
    }
    expect(res.statusCode).toBe(200);
    const body = res.body.toMap() as Json;
    expect(typeof body.RequestId).toBe('string');
    return body;
  };
}

/** Calls a RAM operation through @alicloud/ram20150501 (signature V3), by wire name (see sdkCaller). */
export const call: (client: RamClient, action: string, params?: Record<string, unknown>) => Promise<Json> =
  sdkCaller<RamClient>(Ram, OPS, 'RAM');

export interface Failure {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly data: Json;
}

/** The error a call through the V3 SDK raised: code, HTTP status, message from the body. */
export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (e) {
    const err = e as { code?: string; statusCode?: number; data?: Json };
    if (err.code === undefined || err.statusCode === undefined) throw e;
    return { code: err.code, status: err.statusCode, message: String(err.data?.Message), data: err.data };
  }
  throw new Error('expected the call to fail');
}

/** Asserts the call failed with this code and status, and the message mentions `messagePart`. */
export async function expectFailure(
  promise: Promise<unknown>,
  code: string,
  status: number,
  messagePart?: string | RegExp,
): Promise<Failure> {
  const f = await failure(promise);
  expect({ code: f.code, status: f.status }).toEqual({ code, status });
  if (messagePart !== undefined) expect(f.message).toMatch(messagePart);
  else expect(f.message.length).toBeGreaterThan(0);
  return f;
}

/**
 * A RAM call through @alicloud/pop-core (signature V2, Format=JSON): the raw JSON body.
 * POST (form body) by default, as pop-core's documentation shows it; GET puts every
 * parameter in the query string.
 */
export async function popCall(
  server: TestServer,
  keys: KeyPair,
  action: string,
  params: Record<string, unknown> = {},
  method: 'POST' | 'GET' = 'POST',
) {
  return (await popClient(server, keys).request(action, params, { method })) as Json;
}

/** A pop-core failure: its code and the JSON body (pop-core reads the Code, not the status). */
export async function popFailure(
  promise: Promise<unknown>,
): Promise<{ code: string; data: Json; status: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { code?: string; data?: Json; entry?: { response?: { statusCode?: number } } };
    if (err.code === undefined) throw e;
    return { code: err.code, data: err.data, status: err.entry?.response?.statusCode ?? 0 };
  }
  throw new Error('expected the call to fail');
}

const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A V2-signed GET with Format=XML, built by hand (pop-core always parses JSON): the HTTP
 * status, content type and the body text.
 */
export async function xmlCall(
  server: TestServer,
  keys: KeyPair,
  action: string,
  params: Record<string, string> = {},
): Promise<{ status: number; contentType: string; text: string }> {
  const all: Record<string, string> = {
    Action: action,
    Version: '2015-05-01',
    Format: 'XML',
    AccessKeyId: keys.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  const canonical = Object.keys(all)
    .sort()
    .map((k) => `${encode(k)}=${encode(all[k]!)}`)
    .join('&');
  const stringToSign = `GET&${encode('/')}&${encode(canonical)}`;
  const signature = createHmac('sha1', `${keys.accessKeySecret}&`).update(stringToSign).digest('base64');
  const res = await fetch(`${server.endpoint}/?${canonical}&Signature=${encode(signature)}`);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

// ---------------------------------------------------------------------------------------------
// Names and principals

/** A name unique in the run: `<prefix>-<8 hex>`. */
export const uniq = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A RAM user with an AccessKey, created by the root; its own V3 client. */
export async function ramUserWithKey(
  server: TestServer,
  root: RamClient,
  userName = uniq('caller'),
): Promise<{ userName: string; keys: KeyPair; client: RamClient }> {
  await call(root, 'CreateUser', { UserName: userName });
  const created = await call(root, 'CreateAccessKey', { UserName: userName });
  const keys = {
    accessKeyId: created.AccessKey.AccessKeyId,
    accessKeySecret: created.AccessKey.AccessKeySecret,
  };
  return { userName, keys, client: ramClient(server, keys) };
}

/** A custom policy allowing `actions` on `resource`, attached to the user; returns its name. */
export async function grant(root: RamClient, userName: string, actions: readonly string[], resource = '*') {
  const policyName = uniq('grant');
  await call(root, 'CreatePolicy', {
    PolicyName: policyName,
    PolicyDocument: JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
    }),
  });
  await call(root, 'AttachPolicyToUser', {
    PolicyType: 'Custom',
    PolicyName: policyName,
    UserName: userName,
  });
  return policyName;
}

export async function revoke(root: RamClient, userName: string, policyName: string) {
  await call(root, 'DetachPolicyFromUser', {
    PolicyType: 'Custom',
    PolicyName: policyName,
    UserName: userName,
  });
}

export const TRUST_ACCOUNT = (accountId: string) =>
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
    ],
  });

export const ALLOW_DOC = (action = 'ecs:Describe*') =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

// ---------------------------------------------------------------------------------------------
// Response shapes

/**
 * Differences between a raw JSON body and the SDK response model of `action`: keys the
 * model does not know, and values of the wrong JSON type (lists must be arrays, wrappers
 * and nested models objects, numbers numbers, booleans booleans). Returns [] when it fits.
 */
export function shapeProblems(
  action: string,
  body: Json,
  operations: ReadonlyMap<string, SurfaceOperation> = OPS,
): string[] {
  const op = operations.get(action);
  if (!op) return [`no SDK operation ${action}`];
  const problems: string[] = [];
  walk(op.response.body, body, action, problems);
  return problems;
}

function walk(fields: readonly ShapeField[], value: Json, path: string, out: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected an object`);
    return;
  }
  const known = new Map(fields.map((f) => [f.name, f]));
  for (const [key, v] of Object.entries(value)) {
    const f = known.get(key);
    if (!f) {
      out.push(`${path}.${key}: not in the SDK model`);
      continue;
    }
    check(f.type, f.fields, f.items, v, `${path}.${key}`, out);
  }
}

function check(
  type: string,
  fields: readonly ShapeField[] | undefined,
  items: ShapeField['items'],
  v: Json,
  path: string,
  out: string[],
): void {
  if (v === null || v === undefined) return;
  switch (type) {
    case 'string':
      if (typeof v !== 'string') out.push(`${path}: expected a string, got ${JSON.stringify(v)}`);
      return;
    case 'number':
      if (typeof v !== 'number') out.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') out.push(`${path}: expected a boolean, got ${JSON.stringify(v)}`);
      return;
    case 'array':
      if (!Array.isArray(v)) {
        out.push(`${path}: expected an array`);
        return;
      }
      v.forEach((x: Json, i: number) =>
        check(items!.type, items!.fields, undefined, x, `${path}[${i}]`, out),
      );
      return;
    case 'object':
      if (fields) walk(fields, v, path, out);
      else if (typeof v !== 'object' || Array.isArray(v)) out.push(`${path}: expected an object`);
      return;
    default:
      return;
  }
}

/**
 * Fields the service leaves out when they have no value: paging tokens when there is no more,
 * dates that do not exist yet, the user of an unbound MFA device. Paths without list indexes.
 */
const OPTIONAL = new Set([
  'ListUsers.Marker',
  'ListUsersForGroup.Marker',
  'ListGroups.Marker',
  'ListRoles.Marker',
  'ListPolicies.Marker',
  'ListTagResources.NextToken',
  'GetUser.User.LastLoginDate',
  'GetAccessKeyLastUsed.AccessKeyLastUsed.LastUsedDate',
  'ListVirtualMFADevices.VirtualMFADevices.VirtualMFADevice.ActivateDate',
  'ListVirtualMFADevices.VirtualMFADevices.VirtualMFADevice.User',
]);

/**
 * Fields of the SDK model the body lacks (besides those the service only sends when they
 * have a value), descending into objects and list items that are present.
 */
export function missingFields(
  action: string,
  body: Json,
  operations: ReadonlyMap<string, SurfaceOperation> = OPS,
): string[] {
  const op = operations.get(action);
  if (!op) return [`no SDK operation ${action}`];
  const out: string[] = [];
  const visit = (fields: readonly ShapeField[], value: Json, path: string, bare: string): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const f of fields) {
      const v = value[f.name];
      if (v === undefined || v === null) {
        if (!OPTIONAL.has(`${bare}.${f.name}`)) out.push(`${path}.${f.name}`);
        continue;
      }
      if (f.type === 'object' && f.fields) visit(f.fields, v, `${path}.${f.name}`, `${bare}.${f.name}`);
      if (f.type === 'array' && f.items?.fields && Array.isArray(v)) {
        v.forEach((x: Json, i: number) =>
          visit(f.items!.fields!, x, `${path}.${f.name}[${i}]`, `${bare}.${f.name}`),
        );
      }
    }
  };
  visit(op.response.body, body, action, action);
  return out;
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238, SHA-1, 6 digits, 30 s), computed here from the seed the server returned.

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(seed: string, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const h = createHmac('sha1', base32Decode(seed)).update(counter).digest();
  const o = h[h.length - 1]! & 0xf;
  const n = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return String(n % 1_000_000).padStart(6, '0');
}

/** Two consecutive codes, as BindMFADevice wants them. */
export function twoCodes(seed: string): [string, string] {
  const now = Date.now();
  return [totp(seed, now), totp(seed, now + 30_000)];
}

export const STRONG_PASSWORD = 'Rampart#2026-Strong!';

/**
 * The authorization cycle of one operation for a RAM user: refused with 403 NoPermission
 * (and an AccessDeniedDetail naming the action) while it holds no policy, nothing changed;
 * allowed once a policy granting `actions` is attached; refused again on the very next call
 * once it is detached. `attempt` gets a fresh name per try; `unchanged` checks, as root,
 * that a refused try left no trace.
 */
export async function authorizationCycle(
  server: TestServer,
  root: RamClient,
  opts: {
    readonly actions: readonly string[];
    readonly authAction: string;
    readonly attempt: (client: RamClient, name: string) => Promise<unknown>;
    readonly unchanged: (name: string) => Promise<void>;
    readonly name?: () => string;
  },
): Promise<void> {
  const caller = await ramUserWithKey(server, root);
  const name = opts.name ?? (() => uniq('authz'));

  const first = name();
  const refused = await expectFailure(
    opts.attempt(caller.client, first),
    'NoPermission',
    403,
    'You are not authorized to do this action.',
  );
  expect(refused.data.AccessDeniedDetail).toMatchObject({
    AuthAction: opts.authAction,
    NoPermissionType: 'ImplicitDeny',
    AuthPrincipalOwnerId: server.accountId,
  });
  expect(typeof refused.data.AccessDeniedDetail.EncodedDiagnosticMessage).toBe('string');
  await opts.unchanged(first);

  const policy = await grant(root, caller.userName, opts.actions);
  await opts.attempt(caller.client, name());

  await revoke(root, caller.userName, policy);
  const last = name();
  await expectFailure(opts.attempt(caller.client, last), 'NoPermission', 403);
  await opts.unchanged(last);
}
