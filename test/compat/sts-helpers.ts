/** Helpers of the STS tests: the official STS client, and temporary credentials as a KeyPair. */
import * as OpenApi from '@alicloud/openapi-client';
import StsModule, * as Sts from '@alicloud/sts20150401';
import type { KeyPair, TestServer } from '../helpers/server.js';

type StsClientClass = typeof StsModule.default;
// CommonJS with `exports.default` (see ramClient in test/helpers/server.ts).
const StsClient: StsClientClass =
  (StsModule as unknown as { default?: StsClientClass }).default ?? (StsModule as unknown as StsClientClass);

export type StsClient = InstanceType<StsClientClass>;

/** A @alicloud/sts20150401 client (signature V3) talking to the test server. */
export function stsClient(server: Pick<TestServer, 'host'>, keys: KeyPair): StsClient {
  const config = new OpenApi.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    endpoint: server.host,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  return new StsClient(config as unknown as ConstructorParameters<StsClientClass>[0]);
}

export interface AssumeRoleParams {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly DurationSeconds?: number;
  readonly Policy?: string;
  readonly ExternalId?: string;
  readonly SourceIdentity?: string;
}

/** AssumeRole through the official client: the response body as the SDK read it (wire names). */
export async function assumeRole(
  server: Pick<TestServer, 'host'>,
  keys: KeyPair,
  params: AssumeRoleParams,
): Promise<{
  Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
  AssumedRoleUser: { Arn: string; AssumedRoleId: string };
  SourceIdentity?: string;
  RequestId: string;
}> {
  const req = new Sts.AssumeRoleRequest({
    roleArn: params.RoleArn,
    roleSessionName: params.RoleSessionName,
    ...(params.DurationSeconds !== undefined ? { durationSeconds: params.DurationSeconds } : {}),
    ...(params.Policy !== undefined ? { policy: params.Policy } : {}),
    ...(params.ExternalId !== undefined ? { externalId: params.ExternalId } : {}),
    ...(params.SourceIdentity !== undefined ? { sourceIdentity: params.SourceIdentity } : {}),
  });
  const res = await stsClient(server, keys).assumeRole(req);
  return res.body!.toMap() as never;
}

/** The temporary credentials of an AssumeRole answer as a KeyPair. */
export function sessionKeys(c: {
  Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
}): KeyPair {
  return {
    accessKeyId: c.Credentials.AccessKeyId,
    accessKeySecret: c.Credentials.AccessKeySecret,
    securityToken: c.Credentials.SecurityToken,
  };
}

/** GetCallerIdentity through the official client. */
export async function callerIdentity(
  server: Pick<TestServer, 'host'>,
  keys: KeyPair,
): Promise<Record<string, string>> {
  const res = await stsClient(server, keys).getCallerIdentity();
  return res.body!.toMap() as Record<string, string>;
}
