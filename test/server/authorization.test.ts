import * as Ram from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type KeyPair, type RamClient, type TestServer } from '../helpers/server.js';
import { v3Call } from './http.js';

/**
 * Authorization over HTTP: a RAM user without a policy is refused with an explained
 * NoPermission; attaching a policy takes effect on the very next request, detaching too.
 */
let server: TestServer;
let root: RamClient;
let dev: RamClient;
let devKey: KeyPair;
let devId: string;

interface DeniedError {
  code: string;
  statusCode: number;
  accessDeniedDetail: Record<string, string>;
  data: Record<string, unknown>;
}

async function denied(p: Promise<unknown>): Promise<DeniedError> {
  try {
    await p;
  } catch (err) {
    return err as DeniedError;
  }
  throw new Error('expected NoPermission');
}

async function decode(encoded: string) {
  const r = await root.decodeDiagnosticMessage(
    new Ram.DecodeDiagnosticMessageRequest({ encodedDiagnosticMessage: encoded }),
  );
  return r.body!.decodedDiagnosticMessage!;
}

beforeAll(async () => {
  server = await startServer();
  root = ramClient(server);
  const u = await root.createUser(new Ram.CreateUserRequest({ userName: 'dev' }));
  devId = u.body!.user!.userId!;
  const k = await root.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'dev' }));
  devKey = {
    accessKeyId: k.body!.accessKey!.accessKeyId!,
    accessKeySecret: k.body!.accessKey!.accessKeySecret!,
  };
  dev = ramClient(server, devKey);
});

afterAll(async () => {
  await server?.stop();
});

describe('authorization', () => {
  it('refuses a RAM user without a policy with an explained NoPermission', async () => {
    const e = await denied(dev.listUsers(new Ram.ListUsersRequest({})));
    expect(e.code).toBe('NoPermission');
    expect(e.statusCode).toBe(403);
    expect(e.data.Message).toBe('You are not authorized to do this action. You should be authorized by RAM.');
    expect(e.accessDeniedDetail).toMatchObject({
      AuthAction: 'ram:ListUsers',
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: devId,
      AuthPrincipalOwnerId: server.accountId,
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: 'ImplicitDeny',
    });
    const d = await decode(e.accessDeniedDetail.EncodedDiagnosticMessage!);
    expect(d.explicitDeny).toBe(false);
    expect(d.authAction).toBe('ram:ListUsers');
    expect(d.noPermissionPolicyType).toBe('AccountLevelIdentityBasedPolicy');
    expect(d.authPrincipal).toMatchObject({
      authPrincipalType: 'SubUser',
      authPrincipalOwnerId: server.accountId,
      authPrincipalDisplayName: devId,
    });
    expect(d.authConditions!.map((c) => c.conditionKey)).toContain('acs:SourceIp');
  });

  it('enforces an attach on the next request and a detach on the one after', async () => {
    await root.attachPolicyToUser(
      new Ram.AttachPolicyToUserRequest({
        userName: 'dev',
        policyName: 'AliyunRAMReadOnlyAccess',
        policyType: 'System',
      }),
    );
    const listed = await dev.listUsers(new Ram.ListUsersRequest({}));
    expect(listed.body!.users!.user!.map((u) => u.userName)).toEqual(['dev']);

    // Read-only: a write is still refused.
    const write = await denied(dev.createUser(new Ram.CreateUserRequest({ userName: 'sneaky' })));
    expect(write.accessDeniedDetail.AuthAction).toBe('ram:CreateUser');

    await root.detachPolicyFromUser(
      new Ram.DetachPolicyFromUserRequest({
        userName: 'dev',
        policyName: 'AliyunRAMReadOnlyAccess',
        policyType: 'System',
      }),
    );
    const again = await denied(dev.listUsers(new Ram.ListUsersRequest({})));
    expect(again.code).toBe('NoPermission');
  });

  it('names the denying policy of an explicit deny', async () => {
    await root.createPolicy(
      new Ram.CreatePolicyRequest({
        policyName: 'DenyUserReads',
        policyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
            { Effect: 'Deny', Action: 'ram:GetUser', Resource: '*' },
          ],
        }),
      }),
    );
    await root.attachPolicyToUser(
      new Ram.AttachPolicyToUserRequest({
        userName: 'dev',
        policyName: 'DenyUserReads',
        policyType: 'Custom',
      }),
    );
    expect((await dev.getAccountAlias()).statusCode).toBe(200);
    const e = await denied(dev.getUser(new Ram.GetUserRequest({ userName: 'dev' })));
    expect(e.accessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    const d = await decode(e.accessDeniedDetail.EncodedDiagnosticMessage!);
    expect(d.explicitDeny).toBe(true);
    expect(d.authResource).toBe(`acs:ram:*:${server.accountId}:user/dev`);
    expect(d.matchedPolicies!.map((m) => [m.policyIdentifier, m.policyType, m.effect])).toEqual([
      ['DenyUserReads', 'Custom', 'Deny'],
    ]);
  });

  it('refuses a diagnostic message that was altered', async () => {
    const r = await v3Call(
      server,
      { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret },
      'DecodeDiagnosticMessage',
      { EncodedDiagnosticMessage: Buffer.from('v1.x.aaaa').toString('base64') },
    );
    expect([r.status, r.json().Code, r.json().Message]).toEqual([
      400,
      'InvalidParameter',
      'The parameter "EncodedDiagnosticMessage" is invalid.',
    ]);
  });
});
