/**
 * Temporary credentials over real HTTP with a clock the test moves: a session ends at its
 * Expiration to the second, and acs:MFAPresent travels with the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import type { KeyPair } from '../helpers/server.js';
import { v3Call } from './http.js';

const STS = '2015-04-01';

describe('STS sessions in time', () => {
  let s: InProcessServer;
  let root: KeyPair;
  let roleArn: string;

  /** A call signed at the server's current time, with the session's token. */
  const sessionCall = (keys: KeyPair, action: string, params: Record<string, string> = {}) =>
    v3Call(s, keys, action, params, {
      now: s.clock(),
      ...(keys.securityToken ? { headers: { 'x-acs-security-token': keys.securityToken } } : {}),
    });

  async function assume(params: Record<string, string>): Promise<KeyPair> {
    const r = await v3Call(
      s,
      root,
      'AssumeRole',
      { RoleArn: roleArn, ...params },
      { version: STS, now: s.clock() },
    );
    expect(r.status, r.text).toBe(200);
    const c = JSON.parse(r.text).Credentials;
    return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
  }

  beforeAll(async () => {
    s = await startInProcessServer();
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const d = s.deployment.domain;
    const role = await d.roles.create(s.accountId, {
      roleName: 'Timed',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${s.accountId}:root`] } },
        ],
      }),
    });
    roleArn = role.arn;
    await d.policies.create(s.accountId, {
      policyName: 'ListWithMfa',
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ram:ListUsers',
            Resource: '*',
            Condition: { Bool: { 'acs:MFAPresent': 'true' } },
          },
          { Effect: 'Allow', Action: 'ram:ListGroups', Resource: '*' },
        ],
      }),
    });
    await d.attachments.attach(s.accountId, { kind: 'role', roleName: 'Timed' }, 'Custom', 'ListWithMfa');
  });
  afterAll(() => s?.stop());

  it('accepts a session until its Expiration and refuses it from then on', async () => {
    const keys = await assume({ RoleSessionName: 'short', DurationSeconds: '900' });
    expect((await sessionCall(keys, 'ListGroups')).status).toBe(200);
    s.clock.advance(899_000);
    expect((await sessionCall(keys, 'ListGroups')).status).toBe(200);
    s.clock.advance(1_000);
    const late = await sessionCall(keys, 'ListGroups');
    expect([late.status, JSON.parse(late.text).Code]).toEqual([400, 'InvalidSecurityToken.Expired']);
  });

  it('carries acs:MFAPresent from the session that assumed the role', async () => {
    const role = (await s.deployment.services.roles.findRole(s.accountId, 'timed'))!;
    const issue = (mfaPresent: boolean) =>
      s.deployment.domain.sts.assumeRole({
        caller: { type: 'Root', accountId: s.accountId },
        role,
        sessionName: mfaPresent ? 'with-mfa' : 'without-mfa',
        mfaPresent,
      });
    const keysOf = (c: Awaited<ReturnType<typeof issue>>): KeyPair => ({
      accessKeyId: c.credentials.accessKeyId,
      accessKeySecret: c.credentials.accessKeySecret,
      securityToken: c.credentials.securityToken,
    });
    const withMfa = keysOf(await issue(true));
    const without = keysOf(await issue(false));
    expect((await sessionCall(withMfa, 'ListUsers')).status).toBe(200);
    const refused = await sessionCall(without, 'ListUsers');
    expect([refused.status, JSON.parse(refused.text).Code]).toEqual([403, 'NoPermission']);
    // A session with MFA passes it on to the role session it assumes (chaining).
    const d = s.deployment.domain;
    await d.policies.create(s.accountId, {
      policyName: 'Chain',
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
      }),
    });
    await d.attachments.attach(s.accountId, { kind: 'role', roleName: 'Timed' }, 'Custom', 'Chain');
    const chain = async (from: KeyPair): Promise<KeyPair> => {
      const r = await v3Call(
        s,
        from,
        'AssumeRole',
        { RoleArn: roleArn, RoleSessionName: 'chained' },
        { version: STS, now: s.clock(), headers: { 'x-acs-security-token': from.securityToken! } },
      );
      expect(r.status, r.text).toBe(200);
      const c = JSON.parse(r.text).Credentials;
      return {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
      };
    };
    expect((await sessionCall(await chain(withMfa), 'ListUsers')).status).toBe(200);
    expect((await sessionCall(await chain(without), 'ListUsers')).status).toBe(403);
  });
});
