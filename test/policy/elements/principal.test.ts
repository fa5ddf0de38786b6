import { describe, expect, it } from 'vitest';
import type { PolicySetInput, RequestPrincipal } from '../../../src/policy/index.js';
import { ENGINES } from '../helpers.js';

const A = '1234567890123456';
const B = '9876543210987654';

const alice: RequestPrincipal = {
  type: 'RAMUser',
  accountId: A,
  name: 'alice',
  userId: '2000000000000001',
  arn: `acs:ram::${A}:user/alice`,
};
const session: RequestPrincipal = {
  type: 'AssumedRole',
  accountId: A,
  name: 'build-7',
  roleArn: `acs:ram::${A}:role/ci`,
  arn: `acs:ram::${A}:assumed-role/ci/build-7`,
};
const root: RequestPrincipal = { type: 'Root', accountId: A, arn: `acs:ram::${A}:root` };
const carol: RequestPrincipal = {
  type: 'RAMUser',
  accountId: B,
  name: 'carol',
  userId: '2000000000000077',
  arn: `acs:ram::${B}:user/carol`,
};
const ecs: RequestPrincipal = { type: 'Service', accountId: A, service: 'ecs.aliyuncs.com' };
const kate: RequestPrincipal = {
  type: 'RAMUser',
  accountId: A,
  name: 'kate',
  userId: '2000000000000011',
  arn: `acs:ram::${A}:user/kate`,
};
const kms: RequestPrincipal = { type: 'Service', accountId: A, service: 'kms.aliyuncs.com' };
const kRole: RequestPrincipal = {
  type: 'AssumedRole',
  accountId: A,
  name: 's',
  roleArn: `acs:ram::${A}:role/kube`,
  arn: `acs:ram::${A}:assumed-role/kube/s`,
};

// A bucket policy of account A allowing GetObject to the listed principals, caller in account B
// for cross-account rows (only the bucket policy can grant there).
function bucket(principal: unknown): PolicySetInput {
  return {
    identity: [],
    resource: {
      kind: 'oss-bucket-policy',
      ownerAccountId: A,
      document: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Principal: principal, Action: 'oss:GetObject', Resource: 'acs:oss:*:*:b/*' },
        ],
      },
    },
  };
}

const rows: [string, unknown, RequestPrincipal, boolean][] = [
  ['"*" names everyone', ['*'], carol, true],
  ['an account ID names its users', [B], carol, true],
  ['an account ID names only its own users', [A], carol, false],
  ['a RAM user ID', ['2000000000000077'], carol, true],
  ['a user ARN, any case', [`acs:ram::${B}:user/CAROL`], carol, true],
  ['another user ARN', [`acs:ram::${B}:user/dave`], carol, false],
  ['the OSS role-session form', [`arn:sts::${A}:assumed-role/ci/build-7`], session, true],
  ['the OSS role-session form with * session', [`arn:sts::${A}:assumed-role/ci/*`], session, true],
  ['the OSS role-session form of another role', [`arn:sts::${A}:assumed-role/deploy/*`], session, false],
  ['the typed form in a bucket policy', { RAM: [`acs:ram::${B}:root`] }, carol, true],
  ['a service is not named by "*"', ['*'], ecs, true],
  ['a service is not named by an account ID', [A], ecs, false],
  // A-Z case only: the Kelvin sign (U+212A) lower-cases to `k` in Unicode, and names nobody here.
  ['a user ARN with the Kelvin sign for k', [`acs:ram::${A}:user/\u212Aate`], kate, false],
  ['the typed form with the Kelvin sign', { RAM: [`acs:ram::${A}:user/\u212Aate`] }, kate, false],
  ['a user ARN, upper-case K', [`acs:ram::${A}:user/Kate`], kate, true],
];

describe('bucket policy principals', () => {
  for (const [title, principal, caller, allowed] of rows) {
    it(title, () => {
      for (const [name, engine] of ENGINES) {
        const d = engine(bucket(principal), {
          principal: caller,
          action: 'oss:GetObject',
          resource: `acs:oss:*:${A}:b/x`,
          resourceOwnerAccountId: A,
          context: {},
        });
        expect(d.decision, name).toBe(allowed ? 'Allow' : 'ImplicitDeny');
      }
    });
  }
});

function trust(principal: object, identity = true): PolicySetInput {
  return {
    identity: identity
      ? [
          {
            name: 'assume',
            document: {
              Version: '1',
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
            },
          },
        ]
      : [],
    resource: {
      kind: 'trust-policy',
      ownerAccountId: A,
      document: {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal }],
      },
    },
  };
}

const trustRows: [string, object, RequestPrincipal, string, string?][] = [
  ['account root names its users', { RAM: `acs:ram::${A}:root` }, alice, 'Allow'],
  ['account root names its role sessions (chaining)', { RAM: `acs:ram::${A}:root` }, session, 'Allow'],
  ['account root of another account', { RAM: `acs:ram::${B}:root` }, alice, 'ImplicitDeny', 'trust'],
  ['a role names its sessions', { RAM: `acs:ram::${A}:role/CI` }, session, 'Allow'],
  ['a role does not name a user', { RAM: `acs:ram::${A}:role/ci` }, alice, 'ImplicitDeny', 'trust'],
  ['a user ARN in any case', { RAM: `acs:ram::${A}:user/Alice` }, alice, 'Allow'],
  ['a service, trust alone', { Service: 'ECS.aliyuncs.com' }, ecs, 'Allow'],
  ['another service', { Service: 'rds.aliyuncs.com' }, ecs, 'ImplicitDeny', 'trust'],
  [
    'a service with the Kelvin sign for k',
    { Service: '\u212Ams.aliyuncs.com' },
    kms,
    'ImplicitDeny',
    'trust',
  ],
  [
    'a role with the Kelvin sign for k',
    { RAM: `acs:ram::${A}:role/\u212Aube` },
    kRole,
    'ImplicitDeny',
    'trust',
  ],
  [
    'a user with the Kelvin sign for k',
    { RAM: `acs:ram::${A}:user/\u212Aate` },
    kate,
    'ImplicitDeny',
    'trust',
  ],
  [
    'root of another account assumes across accounts',
    { RAM: `acs:ram::${B}:root` },
    { type: 'Root', accountId: B, arn: `acs:ram::${B}:root` },
    'Allow',
  ],
];

describe('trust policy principals', () => {
  for (const [title, principal, caller, decision, missing] of trustRows) {
    it(title, () => {
      for (const [name, engine] of ENGINES) {
        const d = engine(trust(principal, caller.type !== 'Service' && caller.type !== 'Root'), {
          principal: caller,
          action: 'sts:AssumeRole',
          resource: `acs:ram::${A}:role/ci`,
          resourceOwnerAccountId: A,
          context: {},
        });
        expect(d.decision, name).toBe(decision);
        expect(d.missingAllowIn, name).toBe(missing);
      }
    });
  }

  it('the account root on its own role is bound by the trust policy', () => {
    for (const [, engine] of ENGINES) {
      const d = engine(trust({ Service: 'ecs.aliyuncs.com' }, false), {
        principal: root,
        action: 'sts:AssumeRole',
        resource: `acs:ram::${A}:role/ci`,
        context: {},
      });
      expect(d).toMatchObject({ decision: 'ImplicitDeny', decidedBy: [], missingAllowIn: 'trust' });
    }
  });
});
