/**
 * Helpers of the IMS compatibility tests: a @alicloud/ims20190815 client against the test
 * server, calls by wire name (parameters turned into the SDK's request models, lists as its
 * models so the SDK flattens them), and a check of raw JSON bodies against the IMS response
 * models of test/fixtures/api-surface.json.
 */
import { readFileSync } from 'node:fs';
import * as OpenApiCore from '@alicloud/openapi-core';
import ImsClientModule, * as Ims from '@alicloud/ims20190815';
import { popClient, rootKeys, type KeyPair, type TestServer } from '../helpers/server.js';
import { sdkCaller, type Json, type ShapeField, type SurfaceOperation } from './ram-helpers.js';

const surface = JSON.parse(
  readFileSync(new URL('../fixtures/api-surface.json', import.meta.url), 'utf8'),
) as { products: { package: string; operations: SurfaceOperation[] }[] };

export const IMS_OPERATIONS: readonly SurfaceOperation[] = surface.products.find(
  (p) => p.package === '@alicloud/ims20190815',
)!.operations;

const OPS = new Map(IMS_OPERATIONS.map((o) => [o.action, o]));

type ImsClientClass = typeof ImsClientModule.default;
// CommonJS with `exports.default`: the class is on `.default` under Node's ESM loader; a
// loader that unwraps default exports hands the class itself.
const ImsClient: ImsClientClass =
  (ImsClientModule as unknown as { default?: ImsClientClass }).default ??
  (ImsClientModule as unknown as ImsClientClass);
export type ImsClient = InstanceType<ImsClientClass>;

const Config =
  (OpenApiCore as unknown as { $OpenApiUtil: { Config: new (m: Record<string, unknown>) => unknown } })
    .$OpenApiUtil?.Config ??
  (
    OpenApiCore as unknown as {
      default: { $OpenApiUtil: { Config: new (m: Record<string, unknown>) => unknown } };
    }
  ).default.$OpenApiUtil.Config;

/** An @alicloud/ims20190815 client (signature V3) for the test server; root keys by default. */
export function imsClient(server: TestServer, keys?: KeyPair): ImsClient {
  const k = keys ?? rootKeys(server);
  const config = new Config({
    accessKeyId: k.accessKeyId,
    accessKeySecret: k.accessKeySecret,
    endpoint: server.host,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  return new ImsClient(config as ConstructorParameters<ImsClientClass>[0]);
}

/**
 * Calls an IMS operation through @alicloud/ims20190815 with parameters and result by wire
 * name: the result is the SDK's response model turned back into wire names (what it read).
 */
export const imsCall: (client: ImsClient, action: string, params?: Record<string, unknown>) => Promise<Json> =
  sdkCaller<ImsClient>(Ims, OPS, 'IMS');

/** A raw IMS call through pop-core (signature V2, JSON): the body exactly as the server sent it. */
export async function imsRaw(
  server: TestServer,
  keys: KeyPair,
  action: string,
  params: Record<string, unknown> = {},
): Promise<Json> {
  return (await popClient(server, keys, '2019-08-15').request(action, params, { method: 'POST' })) as Json;
}

// ---------------------------------------------------------------------------------------------
// Response shapes

/** Keys the model does not know and values of the wrong JSON type; [] when the body fits. */
export function imsShapeProblems(action: string, body: Json): string[] {
  const op = OPS.get(action);
  if (!op) return [`no SDK operation ${action}`];
  const out: string[] = [];
  walk(op.response.body, body, action, out);
  return out;
}

function walk(fields: readonly ShapeField[], value: Json, path: string, out: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected an object`);
    return;
  }
  const known = new Map(fields.map((f) => [f.name, f]));
  for (const [key, v] of Object.entries(value)) {
    const f = known.get(key);
    if (!f) out.push(`${path}.${key}: not in the SDK model`);
    else check(f.type, f.fields, f.items, v, `${path}.${key}`, out);
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
      if (!Array.isArray(v)) out.push(`${path}: expected an array`);
      else
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
 * Fields the service leaves out when they have no value (paging tokens at the end, dates that
 * do not exist yet, the user of an unbound device, the MFA device of a user without one), and
 * fields Rampart does not keep (an AccessKey's UpdateDate, the service that last used a key).
 */
export const IMS_OPTIONAL = new Set([
  'ListUsers.Marker',
  'ListUserBasicInfos.Marker',
  'ListUsersForGroup.Marker',
  'ListGroups.Marker',
  'ListVirtualMFADevices.Marker',
  'ListSAMLProviders.Marker',
  'ListOIDCProviders.Marker',
  'ListTagResources.NextToken',
  'GetCredentialReport.NextToken',
  'CreateUser.User.LastLoginDate',
  'GetUser.User.LastLoginDate',
  'UpdateUser.User.LastLoginDate',
  'ListUsers.Users.User.LastLoginDate',
  'GetLoginProfile.LoginProfile.LastLoginTime',
  'ListAccessKeys.AccessKeys.AccessKey.UpdateDate',
  'GetAccessKeyLastUsed.AccessKeyLastUsed.LastUsedDate',
  'GetAccessKeyLastUsed.AccessKeyLastUsed.ServiceName',
  'ListVirtualMFADevices.VirtualMFADevices.VirtualMFADevice.ActivateDate',
  'ListVirtualMFADevices.VirtualMFADevices.VirtualMFADevice.User',
  'GetUserMFAInfo.MFADevice',
]);

/** Fields of the SDK model the body lacks, besides IMS_OPTIONAL ones. */
export function imsMissingFields(action: string, body: Json): string[] {
  const op = OPS.get(action);
  if (!op) return [`no SDK operation ${action}`];
  const out: string[] = [];
  const visit = (fields: readonly ShapeField[], value: Json, path: string, bare: string): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const f of fields) {
      const v = value[f.name];
      if (v === undefined || v === null) {
        if (!IMS_OPTIONAL.has(`${bare}.${f.name}`)) out.push(`${path}.${f.name}`);
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
