import { describe, expect, it } from 'vitest';
import {
  externalBucketAccess,
  externalRoleAccess,
  principalIdsOf,
  resolvePrincipalIds,
} from '../../src/analysis/external.js';
import { evaluate, type RequestPrincipal } from '../../src/policy/index.js';

const A = '1000000000000001';
const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });

describe('external access', () => {
  it('lists trust policy principals outside the account, not those inside it', () => {
    const grants = externalRoleAccess(A, [
      {
        roleName: 'Mixed',
        assumeRolePolicyDocument: doc(
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: {
              RAM: [`acs:ram::${A}:root`, `acs:ram::${A}:user/alice`, 'acs:ram::2000000000000002:role/x'],
              Service: ['ecs.aliyuncs.com'],
              Federated: [`acs:ram::${A}:saml-provider/idp`],
            },
          },
          { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: ['*'] } },
        ),
      },
    ]);
    expect(grants.map((g) => [g.kind, g.principal, g.accountId])).toEqual([
      ['Account', 'acs:ram::2000000000000002:role/x', '2000000000000002'],
      ['Service', 'ecs.aliyuncs.com', undefined],
      ['Federated', `acs:ram::${A}:saml-provider/idp`, undefined],
    ]);
  });

  it('lists bucket policy grants to anyone and to other accounts, with their conditions', () => {
    const grants = externalBucketAccess(A, [
      { name: 'private', policy: null },
      {
        name: 'shared',
        policy: doc({
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: ['*', A, '2000000000000002', '200000000000000201'],
          Resource: [`acs:oss:*:${A}:shared/*`],
          Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
        }),
      },
    ]);
    expect(grants.map((g) => [g.resource, g.kind, g.principal, g.conditions])).toEqual([
      ['bucket/shared', 'Anyone', '*', ['IpAddress acs:SourceIp 192.0.2.0/24']],
      ['bucket/shared', 'Account', '2000000000000002', ['IpAddress acs:SourceIp 192.0.2.0/24']],
    ]);
  });

  it('reads principal ARNs ignoring case, as the engine does', () => {
    const trust = doc({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { RAM: ['ACS:RAM::2000000000000002:root', `ACS:RAM::${A}:ROOT`] },
    });
    const grants = externalRoleAccess(A, [{ roleName: 'Upper', assumeRolePolicyDocument: trust }]);
    expect(grants.map((g) => [g.kind, g.principal, g.accountId])).toEqual([
      ['Account', 'ACS:RAM::2000000000000002:root', '2000000000000002'],
    ]);
    // The engine lets a user of that account in.
    const mallory: RequestPrincipal = {
      type: 'RAMUser',
      accountId: '2000000000000002',
      arn: 'acs:ram::2000000000000002:user/mallory',
    };
    const decision = evaluate(
      {
        identity: [
          { name: 'any', document: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) },
        ],
        resource: { kind: 'trust-policy', ownerAccountId: A, document: trust },
      },
      {
        principal: mallory,
        action: 'sts:AssumeRole',
        resource: `acs:ram::${A}:role/upper`,
        resourceOwnerAccountId: A,
        context: {},
      },
    );
    expect(decision.decision).toBe('Allow');
  });

  it("lists another account's role sessions named by arn:sts::, and any account's for a pattern", () => {
    const grants = externalBucketAccess(A, [
      {
        name: 'xshare',
        policy: doc({
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: [
            'arn:sts::2000000000000002:assumed-role/reader/*',
            `ARN:STS::${A}:assumed-role/reader/*`,
            'arn:sts::*:assumed-role/reader/*',
          ],
          Resource: [`acs:oss:*:${A}:xshare/*`],
        }),
      },
    ]);
    expect(grants.map((g) => [g.kind, g.principal, g.accountId])).toEqual([
      ['Account', 'arn:sts::2000000000000002:assumed-role/reader/*', '2000000000000002'],
      ['Anyone', 'arn:sts::*:assumed-role/reader/*', undefined],
    ]);
  });

  it("reads a 16-digit id of the owner's own users as internal, and every other id as written", async () => {
    const own = '3000000000000003';
    const foreign = '4000000000000004';
    const account = '2000000000000002';
    const buckets = [
      {
        name: 'ids',
        policy: doc({
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: [own, foreign, account, A],
          Resource: [`acs:oss:*:${A}:ids/*`],
        }),
      },
    ];
    expect(principalIdsOf(buckets)).toEqual([own, foreign, account, A]);
    const users: Record<string, string[]> = { [A]: [own], [account]: [foreign] };
    const asked: string[] = [];
    const ids = await resolvePrincipalIds(
      {
        users: {
          findById: async (acc, id) => {
            asked.push(acc);
            return users[acc]?.includes(id) ? { userId: id } : undefined;
          },
        },
      },
      A,
      principalIdsOf(buckets),
    );
    expect([...ids]).toEqual([[own, A]]);
    // Only the owner's users are read: another account's user is not the owner's to learn.
    expect(new Set(asked)).toEqual(new Set([A]));
    expect(externalBucketAccess(A, buckets, ids).map((g) => [g.principal, g.accountId])).toEqual([
      [foreign, foreign],
      [account, account],
    ]);
  });
});
