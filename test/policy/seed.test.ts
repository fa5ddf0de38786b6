import { describe, expect, it } from 'vitest';
import { compilePolicySet, type PolicyInput, type RequestContext } from '../../src/policy/index.js';
import { ACCOUNT, ENGINES, date, ip, refs } from './helpers.js';

// The seed organization: HR manages RAM users; R&D reads ECS/RDS and uses its OSS buckets
// from the office network until a cut-off time, never deleting; O&M runs ECS and RDS.
const HR: PolicyInput = {
  name: 'hr-user-admin',
  type: 'Custom',
  attachedTo: 'group:HR',
  document: {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ram:*User', 'ram:ListUsers', 'ram:*LoginProfile'],
        Resource: `acs:ram:*:${ACCOUNT}:user/*`,
      },
    ],
  },
};
const RD: PolicyInput = {
  name: 'rd-access',
  type: 'Custom',
  attachedTo: 'group:RD',
  document: {
    Version: '1',
    Statement: [
      { Sid: 'ReadCompute', Effect: 'Allow', Action: ['ecs:Describe*', 'rds:Describe*'], Resource: '*' },
      {
        Sid: 'Storage',
        Effect: 'Allow',
        Action: 'oss:*',
        Resource: ['acs:oss:*:*:rd-data', 'acs:oss:*:*:rd-data/*'],
        Condition: {
          IpAddress: { 'acs:SourceIp': '192.0.2.0/24' },
          DateLessThan: { 'acs:CurrentTime': '2026-12-31T18:00:00+08:00' },
        },
      },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 'oss:Delete*', Resource: '*' },
    ],
  },
};
const OM: PolicyInput = {
  name: 'om-compute',
  type: 'Custom',
  attachedTo: 'group:OM',
  document: { Version: '1', Statement: { Effect: 'Allow', Action: ['ecs:*', 'rds:*'], Resource: '*' } },
};

const user = (name: string) => ({
  type: 'RAMUser' as const,
  accountId: ACCOUNT,
  name,
  userId: `20000000000${name.length}`,
  arn: `acs:ram::${ACCOUNT}:user/${name}`,
});
const office: RequestContext = {
  'acs:SourceIp': ip('192.0.2.44'),
  'acs:CurrentTime': date('2026-11-23T10:00:00+08:00'),
};

type Row = [string, string, PolicyInput[], string, string, RequestContext, string, string[]];
const rows: Row[] = [
  [
    'HR creates a user',
    'hr-li',
    [HR],
    'ram:CreateUser',
    `acs:ram:*:${ACCOUNT}:user/new`,
    {},
    'Allow',
    ['identity/0/0'],
  ],
  [
    'HR cannot create a role',
    'hr-li',
    [HR],
    'ram:CreateRole',
    `acs:ram:*:${ACCOUNT}:role/r`,
    {},
    'ImplicitDeny',
    [],
  ],
  [
    'R&D reads ECS',
    'rd-wang',
    [RD],
    'ecs:DescribeInstances',
    `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
    {},
    'Allow',
    ['identity/0/0'],
  ],
  [
    'R&D cannot stop ECS',
    'rd-wang',
    [RD],
    'ecs:StopInstance',
    `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
    {},
    'ImplicitDeny',
    [],
  ],
  [
    'R&D reads OSS from the office',
    'rd-wang',
    [RD],
    'oss:GetObject',
    `acs:oss:*:${ACCOUNT}:rd-data/a.txt`,
    office,
    'Allow',
    ['identity/0/1'],
  ],
  [
    'R&D OSS from home',
    'rd-wang',
    [RD],
    'oss:GetObject',
    `acs:oss:*:${ACCOUNT}:rd-data/a.txt`,
    { ...office, 'acs:SourceIp': ip('198.51.100.1') },
    'ImplicitDeny',
    [],
  ],
  [
    'R&D OSS after the cut-off',
    'rd-wang',
    [RD],
    'oss:GetObject',
    `acs:oss:*:${ACCOUNT}:rd-data/a.txt`,
    { ...office, 'acs:CurrentTime': date('2026-12-31T10:00:01Z') },
    'ImplicitDeny',
    [],
  ],
  [
    'R&D never deletes',
    'rd-wang',
    [RD],
    'oss:DeleteObject',
    `acs:oss:*:${ACCOUNT}:rd-data/a.txt`,
    office,
    'ExplicitDeny',
    ['identity/0/2'],
  ],
  [
    'O&M runs ECS',
    'om-zhao',
    [OM],
    'ecs:StopInstance',
    `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
    {},
    'Allow',
    ['identity/0/0'],
  ],
  [
    'O&M has no OSS',
    'om-zhao',
    [OM],
    'oss:GetObject',
    `acs:oss:*:${ACCOUNT}:rd-data/a.txt`,
    office,
    'ImplicitDeny',
    [],
  ],
  [
    'both groups: ECS read via both',
    'dev-ops',
    [RD, OM],
    'ecs:DescribeInstances',
    '*',
    {},
    'Allow',
    ['identity/0/0', 'identity/1/0'],
  ],
  [
    'both groups: RDS delete via O&M',
    'dev-ops',
    [RD, OM],
    'rds:DeleteDBInstance',
    '*',
    {},
    'Allow',
    ['identity/1/0'],
  ],
  [
    'both groups: OSS via R&D',
    'dev-ops',
    [RD, OM],
    'oss:PutObject',
    `acs:oss:*:${ACCOUNT}:rd-data/b`,
    office,
    'Allow',
    ['identity/0/1'],
  ],
  [
    'both groups: the R&D Deny still wins',
    'dev-ops',
    [RD, OM],
    'oss:DeleteBucket',
    `acs:oss:*:${ACCOUNT}:rd-data`,
    office,
    'ExplicitDeny',
    ['identity/0/2'],
  ],
];

describe('seed organization', () => {
  for (const [name, engine] of ENGINES) {
    describe(name, () => {
      for (const [title, who, policies, action, resource, context, decision, by] of rows) {
        it(title, () => {
          const d = engine({ identity: policies }, { principal: user(who), action, resource, context });
          expect(d.decision).toBe(decision);
          expect(refs(d).map((r) => `${r.layer}/${r.policy}/${r.statement}`)).toEqual(by);
        });
      }
    });
  }

  it('a compiled set is reused across requests', () => {
    const compiled = compilePolicySet({ identity: [RD, OM] });
    expect(compiled.diagnostics).toEqual([]);
    for (const [, , policies, action, resource, context, decision] of rows) {
      if (policies.length !== 2) continue;
      expect(
        ENGINES[1]![1](compiled as never, { principal: user('dev-ops'), action, resource, context }).decision,
      ).toBe(decision);
    }
  });
});
