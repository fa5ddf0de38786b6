import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  call,
  expectFailure,
  grant,
  popCall,
  popFailure,
  ramUserWithKey,
  uniq,
} from './ram-helpers.js';

describe.each(STORES)('RAM DecodeDiagnosticMessage (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reveals why a request was implicitly denied', async () => {
    const caller = await ramUserWithKey(server, root);
    const refused = await expectFailure(call(caller.client, 'ListUsers'), 'NoPermission', 403);
    const encoded: string = refused.data.AccessDeniedDetail.EncodedDiagnosticMessage;
    const decoded = (await call(root, 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: encoded }))
      .DecodedDiagnosticMessage;
    expect(decoded).toMatchObject({
      ExplicitDeny: false,
      AuthAction: 'ram:ListUsers',
      AuthResource: `acs:ram:*:${server.accountId}:user/*`,
      AuthPrincipal: { AuthPrincipalType: 'SubUser', AuthPrincipalOwnerId: server.accountId },
      MatchedPolicies: [],
    });
    expect(typeof decoded.NoPermissionPolicyType).toBe('string');
    expect(decoded.AuthPrincipal.AuthPrincipalDisplayName.length).toBeGreaterThan(0);
    expect(Array.isArray(decoded.AuthConditions)).toBe(true);
    for (const c of decoded.AuthConditions) {
      expect(typeof c.ConditionKey).toBe('string');
      expect(Array.isArray(c.ConditionValues)).toBe(true);
    }
  });

  it('names the statement of an explicit deny', async () => {
    const caller = await ramUserWithKey(server, root);
    await grant(root, caller.userName, ['ram:*']);
    const deny = uniq('deny-delete');
    await call(root, 'CreatePolicy', {
      PolicyName: deny,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'ram:DeleteUser', Resource: '*' }],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: deny,
      UserName: caller.userName,
    });
    const victim = uniq('victim');
    await call(root, 'CreateUser', { UserName: victim });

    const refused = await expectFailure(
      call(caller.client, 'DeleteUser', { UserName: victim }),
      'NoPermission',
      403,
    );
    expect(refused.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    expect((await call(root, 'GetUser', { UserName: victim })).User.UserName).toBe(victim);

    // The caller may decode its own refusal (it holds ram:*).
    const decoded = (
      await call(caller.client, 'DecodeDiagnosticMessage', {
        EncodedDiagnosticMessage: refused.data.AccessDeniedDetail.EncodedDiagnosticMessage,
      })
    ).DecodedDiagnosticMessage;
    expect(decoded).toMatchObject({
      ExplicitDeny: true,
      AuthAction: 'ram:DeleteUser',
      AuthResource: `acs:ram:*:${server.accountId}:user/${victim}`,
    });
    expect(decoded.MatchedPolicies).toContainEqual(
      expect.objectContaining({
        PolicyIdentifier: deny,
        PolicyType: 'Custom',
        Effect: 'Deny',
        AttachedEntityType: 'User',
      }),
    );
  });

  it('explains the nearest miss and the statement when asked to (IncludeExplanation)', async () => {
    const caller = await ramUserWithKey(server, root);
    const name = uniq('only-get-user');
    await call(root, 'CreatePolicy', {
      PolicyName: name,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Sid: 'ReadUsers', Effect: 'Allow', Action: 'ram:GetUser', Resource: '*' }],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: name,
      UserName: caller.userName,
    });
    const refused = await expectFailure(call(caller.client, 'ListUsers'), 'NoPermission', 403);
    const encoded: string = refused.data.AccessDeniedDetail.EncodedDiagnosticMessage;

    const plain = await popCall(server, rootKeys(server), 'DecodeDiagnosticMessage', {
      EncodedDiagnosticMessage: encoded,
    });
    expect(plain.DecodedDiagnosticMessage.MatchedPolicies).toEqual([]);
    expect(plain.DecodedDiagnosticMessage.Explanation).toBeUndefined();

    const explained = (
      await popCall(server, rootKeys(server), 'DecodeDiagnosticMessage', {
        EncodedDiagnosticMessage: encoded,
        IncludeExplanation: 'true',
      })
    ).DecodedDiagnosticMessage;
    expect(explained.MatchedPolicies).toEqual([
      expect.objectContaining({
        PolicyIdentifier: name,
        PolicyType: 'Custom',
        PolicyVersion: 'v1',
        Effect: 'Allow',
        StatementIndex: 0,
        StatementSid: 'ReadUsers',
        Matched: false,
        Explanation: expect.stringContaining('ram:ListUsers'),
      }),
    ]);
    expect(explained.Explanation).toEqual(expect.stringContaining(name));

    const bad = await popFailure(
      popCall(server, rootKeys(server), 'DecodeDiagnosticMessage', {
        EncodedDiagnosticMessage: encoded,
        IncludeExplanation: 'maybe',
      }),
    );
    expect([bad.code, bad.status]).toEqual(['InvalidParameter', 400]);
  });

  it('refuses text it did not issue, and callers without the permission', async () => {
    const caller = await ramUserWithKey(server, root);
    const refused = await expectFailure(call(caller.client, 'ListGroups'), 'NoPermission', 403);
    const encoded: string = refused.data.AccessDeniedDetail.EncodedDiagnosticMessage;

    await expectFailure(
      call(root, 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: 'not a message' }),
      'InvalidParameter',
      400,
      '"EncodedDiagnosticMessage"',
    );
    const tampered = encoded.slice(0, 10) + (encoded[10] === 'A' ? 'B' : 'A') + encoded.slice(11);
    await expectFailure(
      call(root, 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: tampered }),
      'InvalidParameter',
      400,
    );
    await expectFailure(call(root, 'DecodeDiagnosticMessage', {}), 'MissingEncodedDiagnosticMessage', 400);

    const denied = await expectFailure(
      call(caller.client, 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: encoded }),
      'NoPermission',
      403,
    );
    expect(denied.data.AccessDeniedDetail.AuthAction).toBe('ram:DecodeDiagnosticMessage');
    await grant(root, caller.userName, ['ram:DecodeDiagnosticMessage']);
    const decoded = (
      await call(caller.client, 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: encoded })
    ).DecodedDiagnosticMessage;
    expect(decoded.AuthAction).toBe('ram:ListGroups');
  });

  it('pop-core', async () => {
    const caller = await ramUserWithKey(server, root);
    const refused = await popCall(server, caller.keys, 'ListRoles').catch(
      (e: { code: string; data: Record<string, never> }) => e,
    );
    expect((refused as { code: string }).code).toBe('NoPermission');
    const body = await popCall(server, rootKeys(server), 'DecodeDiagnosticMessage', {
      EncodedDiagnosticMessage: (
        refused as { data: { AccessDeniedDetail: { EncodedDiagnosticMessage: string } } }
      ).data.AccessDeniedDetail.EncodedDiagnosticMessage,
    });
    expect(body.DecodedDiagnosticMessage.AuthAction).toBe('ram:ListRoles');
  });
});
