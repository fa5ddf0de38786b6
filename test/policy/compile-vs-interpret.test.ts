import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePolicySet,
  evaluate,
  interpret,
  type AuthorizationRequest,
  type ContextValue,
  type PolicySetInput,
} from '../../src/policy/index.js';

// Differential test: the compiled engine must agree with the reference interpreter on
// decision, decidedBy, missingAllowIn and nearestMiss for any documents and requests.
// Small alphabets make matches likely. FC_RUNS sets the number of runs.
const RUNS = Number(process.env.FC_RUNS ?? 4000);

const A = '1111111111111111';
const B = '2222222222222222';

const actions = [
  'ecs:DescribeInstances',
  'ecs:DeleteInstance',
  'oss:GetObject',
  'oss:PutObject',
  'ram:CreateUser',
  'sts:AssumeRole',
];
const actionPatterns = [
  '*',
  'ecs:*',
  'oss:*Object',
  'ECS:describe*',
  '*:Get*',
  '?cs:*',
  'oss:GetObjec?',
  'sts:AssumeRole',
  'ram:*User',
  'oss:getobject',
  'x:*',
  '**',
];
const resources = [
  `acs:oss:*:${A}:bkt/a.txt`,
  `acs:oss:*:${A}:bkt`,
  `acs:ecs:cn-hangzhou:${A}:instance/i-1`,
  `acs:ram::${A}:role/admin`,
  `acs:oss:*:${B}:other/K`,
];
const resourcePatterns = [
  '*',
  'acs:oss:*:*:bkt/*',
  'acs:oss:*:*:bkt',
  'acs:ecs:*:*:*',
  'acs:*:*:*:*/?-1',
  `acs:ram::${A}:role/*`,
  'acs:oss:*:*:other/k',
  'acs:oss:*:*:*',
];

const keys = [
  'example:s',
  'EXAMPLE:S',
  'example:n',
  'acs:SourceIp',
  'acs:CurrentTime',
  'acs:RequestTag/Env',
  'acs:requesttag/env',
  'example:b',
];
const ops = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
  'StringEqualsIfExists',
];
const scalars: (string | number | boolean)[] = [
  'a',
  'A',
  'b',
  'a*',
  '?',
  '1',
  '2.0',
  2,
  -1,
  '10.5',
  true,
  'false',
  'TRUE',
  '2026-01-01',
  '2026-01-01T08:00:00+08:00',
  '2026-06-01T00:00:00Z',
  1767225600,
  '192.0.2.0/24',
  '192.0.2.9',
  '10.0.0.0/8',
  '2001:db8::/32',
  '::ffff:192.0.2.1',
  '300.1.1.1',
  'junk',
];

const condition = fc.dictionary(
  fc
    .tuple(fc.constantFrom('', 'ForAnyValue:', 'ForAllValues:'), fc.constantFrom(...ops))
    .map(([q, o]) => q + o),
  fc.dictionary(
    fc.constantFrom(...keys),
    fc.oneof(
      fc.constantFrom(...scalars),
      fc.array(fc.constantFrom(...scalars), { minLength: 0, maxLength: 3 }),
    ),
    {
      minKeys: 1,
      maxKeys: 2,
    },
  ),
  { minKeys: 0, maxKeys: 2 },
);

const strlist = (pool: string[]) =>
  fc.oneof(fc.constantFrom(...pool), fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 }));

const principalPatterns = fc.oneof(
  fc.array(
    fc.constantFrom(
      '*',
      A,
      B,
      `acs:ram::${A}:user/alice`,
      '2000000000000001',
      `arn:sts::${A}:assumed-role/admin/*`,
    ),
    { minLength: 1, maxLength: 2 },
  ),
  fc.record({
    RAM: strlist([
      `acs:ram::${A}:root`,
      `acs:ram::${B}:root`,
      `acs:ram::${A}:user/Alice`,
      `acs:ram::${A}:role/admin`,
    ]),
  }),
  fc.record({ Service: fc.constant('ecs.aliyuncs.com') }),
  fc.record({ Federated: fc.constant(`acs:ram::${A}:saml-provider/idp`) }),
);

const statement = (withPrincipal: boolean) =>
  fc
    .record({
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny', 'allow'),
      action: fc.tuple(fc.boolean(), strlist(actionPatterns)),
      resource: fc.tuple(fc.constantFrom(0, 0, 1, 2), strlist(resourcePatterns)),
      Condition: condition,
      Principal: principalPatterns,
      Sid: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    })
    .map((s) => ({
      Effect: s.Effect,
      [s.action[0] ? 'NotAction' : 'Action']: s.action[1],
      ...(s.resource[0] === 0
        ? { Resource: s.resource[1] }
        : s.resource[0] === 1
          ? { NotResource: s.resource[1] }
          : {}),
      ...(Object.keys(s.Condition).length > 0 ? { Condition: s.Condition } : {}),
      ...(withPrincipal ? { Principal: s.Principal } : {}),
      ...(s.Sid ? { Sid: s.Sid } : {}),
    }));

const documentOf = (withPrincipal: boolean) =>
  fc.oneof(
    fc
      .array(statement(withPrincipal), { minLength: 1, maxLength: 4 })
      .map((st) => ({ Version: '1', Statement: st })),
    statement(withPrincipal).map((st) => ({ Version: '1', Statement: st })),
  );

const policy = fc.record({ name: fc.constantFrom('p', 'q'), document: documentOf(false) });

const policySet: fc.Arbitrary<PolicySetInput> = fc
  .record({
    identity: fc.array(policy, { maxLength: 3 }),
    session: fc.option(fc.record({ document: documentOf(false) }), { nil: undefined }),
    control: fc.option(
      fc.array(
        fc.record({
          node: fc.constant('member'),
          policies: fc.array(policy, { minLength: 1, maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      { nil: undefined },
    ),
    resource: fc.option(
      fc.record({
        kind: fc.constantFrom('oss-bucket-policy' as const, 'trust-policy' as const),
        name: fc.constant('rp'),
        ownerAccountId: fc.constantFrom(A, B),
        document: documentOf(true),
      }),
      { nil: undefined },
    ),
  })
  .map((s) => ({
    identity: s.identity,
    ...(s.session ? { session: s.session } : {}),
    ...(s.control ? { control: s.control } : {}),
    ...(s.resource ? { resource: s.resource } : {}),
  }));

const contextValue: fc.Arbitrary<ContextValue> = fc.record({
  type: fc.constantFrom(
    'String' as const,
    'Numeric' as const,
    'Date' as const,
    'Bool' as const,
    'IP' as const,
  ),
  values: fc.array(
    fc.constantFrom<string | number | boolean>(
      'a',
      'A',
      'ab',
      'b',
      '1',
      2,
      '2.0',
      10.5,
      true,
      false,
      '2026-01-01T00:00:00Z',
      '2026-03-01',
      '192.0.2.9',
      '10.1.2.3',
      '2001:db8::5',
      '::ffff:192.0.2.77',
      'nonsense',
    ),
    { maxLength: 3 },
  ),
});

const principal = fc.constantFrom<AuthorizationRequest['principal']>(
  {
    type: 'RAMUser',
    accountId: A,
    name: 'alice',
    userId: '2000000000000001',
    arn: `acs:ram::${A}:user/alice`,
  },
  { type: 'RAMUser', accountId: A, name: 'mgr', arn: `acs:ram::${A}:user/mgr`, inManagementAccount: true },
  {
    type: 'AssumedRole',
    accountId: A,
    name: 's1',
    roleArn: `acs:ram::${A}:role/admin`,
    arn: `acs:ram::${A}:assumed-role/admin/s1`,
  },
  { type: 'RAMUser', accountId: B, name: 'carol', arn: `acs:ram::${B}:user/carol` },
  { type: 'Root', accountId: A, arn: `acs:ram::${A}:root` },
  { type: 'Service', accountId: A, service: 'ecs.aliyuncs.com' },
  { type: 'Federated', accountId: A, provider: `acs:ram::${A}:saml-provider/idp` },
);

const requestArb: fc.Arbitrary<AuthorizationRequest> = fc
  .record({
    principal,
    action: fc.constantFrom(...actions, 'ECS:describeinstances', 'STS:AssumeRole'),
    resource: fc.constantFrom(...resources),
    owner: fc.constantFrom(undefined, A, B),
    context: fc.dictionary(fc.constantFrom(...keys), contextValue, { maxKeys: 4 }),
  })
  .map((r) => ({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    context: r.context,
    ...(r.owner ? { resourceOwnerAccountId: r.owner } : {}),
  }));

describe('compiled engine = reference interpreter', () => {
  it(`agrees on ${RUNS} random policy sets and requests`, () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(policySet, fc.array(requestArb, { minLength: 1, maxLength: 4 }), (set, requests) => {
        const compiled = compilePolicySet(set);
        for (const r of requests) {
          const want = interpret(set, r);
          // JSON form: the compiled ImplicitDeny reads its nearestMiss lazily (a getter).
          expect(JSON.parse(JSON.stringify(evaluate(compiled, r)))).toEqual(JSON.parse(JSON.stringify(want)));
          const k = want.decision === 'ImplicitDeny' ? `ImplicitDeny/${want.missingAllowIn}` : want.decision;
          seen[k] = (seen[k] ?? 0) + 1;
        }
      }),
      { numRuns: RUNS },
    );
    // The generators must reach every outcome, or the comparison proves little.
    console.log('outcomes:', JSON.stringify(seen));
    for (const k of [
      'Allow',
      'ExplicitDeny',
      'ImplicitDeny/control',
      'ImplicitDeny/session',
      'ImplicitDeny/identity',
      'ImplicitDeny/trust',
      'ImplicitDeny/resource',
    ]) {
      expect(seen[k] ?? 0, k).toBeGreaterThan(RUNS / 200);
    }
  });
});
