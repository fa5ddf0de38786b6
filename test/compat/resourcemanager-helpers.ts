/**
 * Helpers of the ResourceManager compatibility tests: the official client
 * (@alicloud/resourcemanager20200331, signature V3) called by wire name, and the SDK surface
 * of its operations (test/fixtures/api-surface.json).
 */
import { readFileSync } from 'node:fs';
import * as OpenApi from '@alicloud/openapi-client';
import RmModule, * as Rm from '@alicloud/resourcemanager20200331';
import { expect } from 'vitest';
import type { KeyPair, TestServer } from '../helpers/server.js';
import type { Json, SurfaceOperation } from './ram-helpers.js';

type RmClientClass = typeof RmModule.default;
// CommonJS with `exports.default` (see ramClient in test/helpers/server.ts).
const RmClient: RmClientClass =
  (RmModule as unknown as { default?: RmClientClass }).default ?? (RmModule as unknown as RmClientClass);

export type RmClient = InstanceType<RmClientClass>;

const surface = JSON.parse(
  readFileSync(new URL('../fixtures/api-surface.json', import.meta.url), 'utf8'),
) as {
  products: {
    package: string;
    operations: (SurfaceOperation & { rampartScope?: boolean })[];
  }[];
};

export const RM_OPERATIONS = surface.products.find(
  (p) => p.package === '@alicloud/resourcemanager20200331',
)!.operations;

const OPS = new Map(RM_OPERATIONS.map((o) => [o.action, o]));

/** A ResourceManager client talking to the test server. */
export function rmClient(server: Pick<TestServer, 'host'>, keys: KeyPair): RmClient {
  const config = new OpenApi.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    endpoint: server.host,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  return new RmClient(config as unknown as ConstructorParameters<RmClientClass>[0]);
}

const models = Rm as unknown as Record<string, new (map: Record<string, unknown>) => unknown>;

/**
 * Calls an operation by wire name; the result is what the SDK read, back in wire names. A list
 * of objects (`Tag: [{ Key, Value }]`) is given by wire names too and made into the SDK's item
 * models, which the SDK flattens (`Tag.1.Key`).
 */
export async function rmCall(
  client: RmClient,
  action: string,
  params: Record<string, unknown> = {},
): Promise<Json> {
  const op = OPS.get(action);
  if (!op) throw new Error(`no ResourceManager operation ${action}`);
  const method = (
    client as unknown as Record<string, (req?: unknown) => Promise<{ statusCode: number; body: Json }>>
  )[op.sdkMethod]!.bind(client);
  let res: { statusCode: number; body: Json };
  if (op.request.model === null || op.request.params.length === 0) {
    res = await method();
  } else {
    const props: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params)) {
      const field = op.request.params.find((f) => f.name === name);
      if (!field) throw new Error(`${action} has no parameter ${name}`);
      const items = field.type === 'array' ? field.items : undefined;
      props[field.prop] =
        items?.model && Array.isArray(value)
          ? value.map((v: Record<string, unknown>) => {
              const item: Record<string, unknown> = {};
              for (const f of items.fields ?? []) if (v[f.name] !== undefined) item[f.prop] = v[f.name];
              return new models[items.model!]!(item);
            })
          : value;
    }
    res = await method(new models[op.request.model]!(props));
  }
  expect(res.statusCode).toBe(200);
  const body = res.body.toMap() as Json;
  expect(typeof body.RequestId).toBe('string');
  return body;
}
