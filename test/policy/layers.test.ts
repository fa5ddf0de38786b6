import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest, PolicySetInput } from '../../src/policy/index.js';
import { ACCOUNT, ENGINES, alice, ip, refs } from './helpers.js';

const allowAll = { Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const denyEcs = { Version: '1', Statement: [{ Effect: 'Deny', Action: 'ecs:*', Resource: '*' }] };
const req = (over: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principal: alice,
  action: 'ecs:StartInstance',
  resource: `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
  context: {},
  ...over,
});

const rows: [string, PolicySetInput, AuthorizationRequest, string, string[], string?][] = [
  [
    'service-linked role sessions are exempt from control policies',
    {
      identity: [{ name: 'slr', document: allowAll }],
      control: [{ node: 'member', policies: [{ name: 'deny', document: denyEcs }] }],
    },
    req({
      principal: {
        type: 'AssumedRole',
        accountId: ACCOUNT,
        name: 's',
        roleArn: `acs:ram::${ACCOUNT}:role/AliyunServiceRoleForECS`,
      },
    }),
    'Allow',
    ['identity/0/0'],
  ],
  [
    'a Deny at any control level is reported with its level',
    {
      identity: [{ name: 'all', document: allowAll }],
      control: [
        { node: 'member', policies: [{ name: 'full', document: allowAll }] },
        {
          node: 'folder:f',
          policies: [
            { name: 'full', document: allowAll },
            { name: 'deny', document: denyEcs },
          ],
        },
      ],
    },
    req(),
    'ExplicitDeny',
    ['control/1/0@1'],
  ],
  [
    'explicit deny is reported even when another layer lacks an allow',
    {
      identity: [{ name: 'deny', document: denyEcs }],
      control: [
        {
          node: 'member',
          policies: [
            {
              name: 'none',
              document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }] },
            },
          ],
        },
      ],
    },
    req(),
    'ExplicitDeny',
    ['identity/0/0'],
  ],
  [
    'every matching Deny is listed, across layers in order',
    { identity: [{ name: 'deny', document: denyEcs }], session: { document: denyEcs } },
    req({
      principal: {
        type: 'AssumedRole',
        accountId: ACCOUNT,
        name: 's',
        roleArn: `acs:ram::${ACCOUNT}:role/r`,
      },
    }),
    'ExplicitDeny',
    ['session/0/0', 'identity/0/0'],
  ],
  [
    'same account: identity and bucket policy allows are both listed',
    {
      identity: [{ name: 'all', document: allowAll }],
      resource: {
        kind: 'oss-bucket-policy',
        ownerAccountId: ACCOUNT,
        document: {
          Version: '1',
          Statement: [{ Effect: 'Allow', Principal: ['*'], Action: 'oss:*', Resource: '*' }],
        },
      },
    },
    req({ action: 'oss:GetObject', resource: `acs:oss:*:${ACCOUNT}:b/k` }),
    'Allow',
    ['identity/0/0', 'resource/0/0'],
  ],
  [
    'cross account: an identity Deny is not consulted',
    {
      identity: [
        {
          name: 'deny',
          document: { Version: '1', Statement: [{ Effect: 'Deny', Action: 'oss:*', Resource: '*' }] },
        },
      ],
      resource: {
        kind: 'oss-bucket-policy',
        ownerAccountId: '9876543210987654',
        document: {
          Version: '1',
          Statement: [{ Effect: 'Allow', Principal: [ACCOUNT], Action: 'oss:*', Resource: '*' }],
        },
      },
    },
    req({
      action: 'oss:GetObject',
      resource: 'acs:oss:*:9876543210987654:b/k',
      resourceOwnerAccountId: '9876543210987654',
    }),
    'Allow',
    ['resource/0/0'],
  ],
  [
    'the bucket owner ignores a "*" Deny without a Condition',
    {
      identity: [],
      resource: {
        kind: 'oss-bucket-policy',
        ownerAccountId: ACCOUNT,
        document: {
          Version: '1',
          Statement: [{ Effect: 'Deny', Principal: ['*'], Action: 'oss:*', Resource: '*' }],
        },
      },
    },
    req({
      principal: { type: 'Root', accountId: ACCOUNT },
      action: 'oss:GetObject',
      resource: `acs:oss:*:${ACCOUNT}:b/k`,
    }),
    'Allow',
    [],
  ],
  [
    'the bucket owner ignores a Deny naming its own account',
    {
      identity: [],
      resource: {
        kind: 'oss-bucket-policy',
        ownerAccountId: ACCOUNT,
        document: {
          Version: '1',
          Statement: [
            {
              Effect: 'Deny',
              Principal: [ACCOUNT],
              Action: 'oss:*',
              Resource: '*',
              Condition: { NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
            },
          ],
        },
      },
    },
    req({
      principal: { type: 'Root', accountId: ACCOUNT },
      action: 'oss:GetObject',
      resource: `acs:oss:*:${ACCOUNT}:b/k`,
      context: { 'acs:SourceIp': ip('1.1.1.1') },
    }),
    'Allow',
    [],
  ],
  [
    'the account root of another account is bound by the bucket policy alone',
    {
      identity: [],
      resource: {
        kind: 'oss-bucket-policy',
        ownerAccountId: '9876543210987654',
        document: {
          Version: '1',
          Statement: [{ Effect: 'Allow', Principal: [ACCOUNT], Action: 'oss:GetObject', Resource: '*' }],
        },
      },
    },
    req({
      principal: { type: 'Root', accountId: ACCOUNT },
      action: 'oss:PutObject',
      resource: 'acs:oss:*:9876543210987654:b/k',
      resourceOwnerAccountId: '9876543210987654',
    }),
    'ImplicitDeny',
    [],
    'resource',
  ],
  [
    'a session policy applies even without an identity allow check passing first',
    { identity: [], session: { document: allowAll } },
    req({
      principal: {
        type: 'AssumedRole',
        accountId: ACCOUNT,
        name: 's',
        roleArn: `acs:ram::${ACCOUNT}:role/r`,
      },
    }),
    'ImplicitDeny',
    [],
    'identity',
  ],
  [
    'the account root assumes a role of its own account only when the trust policy allows it',
    {
      identity: [],
      resource: {
        kind: 'trust-policy',
        ownerAccountId: ACCOUNT,
        document: {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Principal: { RAM: `acs:ram::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    },
    req({
      principal: { type: 'Root', accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:root` },
      action: 'sts:AssumeRole',
      resource: `acs:ram::${ACCOUNT}:role/r`,
    }),
    'Allow',
    ['trust/0/0'],
  ],
  [
    'the account root may not assume a role whose trust policy names someone else',
    {
      identity: [],
      resource: {
        kind: 'trust-policy',
        ownerAccountId: ACCOUNT,
        document: {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ecs.aliyuncs.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    },
    req({
      principal: { type: 'Root', accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:root` },
      action: 'sts:AssumeRole',
      resource: `acs:ram::${ACCOUNT}:role/r`,
    }),
    'ImplicitDeny',
    [],
    'trust',
  ],
  [
    'AssumeRole without any trust policy',
    { identity: [{ name: 'all', document: allowAll }] },
    req({ action: 'sts:AssumeRole', resource: `acs:ram::${ACCOUNT}:role/r` }),
    'ImplicitDeny',
    [],
    'trust',
  ],
];

describe('layers and their combination (section 6)', () => {
  for (const [title, set, request, decision, by, missing] of rows) {
    it(title, () => {
      for (const [name, engine] of ENGINES) {
        const d = engine(set, request);
        expect(d.decision, name).toBe(decision);
        expect(
          refs(d).map(
            (r) => `${r.layer}/${r.policy}/${r.statement}${r.level === undefined ? '' : `@${r.level}`}`,
          ),
          name,
        ).toEqual(by);
        expect(d.missingAllowIn, name).toBe(missing);
      }
    });
  }
});
