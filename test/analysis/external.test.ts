import { describe, expect, it } from 'vitest';
import { externalBucketAccess, externalRoleAccess } from '../../src/analysis/external.js';

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
});
