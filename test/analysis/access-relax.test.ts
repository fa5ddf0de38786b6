/**
 * decideAccess against the engine on policy sets built in the test: conditions of a resource
 * policy (trust or bucket) relaxed like the principal's own, statements without conditions
 * (`"Condition": {}`) or that can never match (an unknown operator) kept as the engine reads
 * them, and a role named in its stored case. Each case's answer is checked against `evaluate`
 * under a few request contexts: Allowed when the engine allows with no context, Conditional
 * when it allows under some context, nothing when under none.
 */
import { describe, expect, it } from 'vitest';
import { decideAccess } from '../../src/analysis/access.js';
import { requestPrincipal } from '../../src/api/authorize.js';
import type { Principal } from '../../src/auth/principal.js';
import {
  evaluate,
  type PolicySetInput,
  type RequestContext,
  type ResourcePolicyInput,
} from '../../src/policy/index.js';

const A = '1000000000000001';
const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });
const alice: Principal = { type: 'RAMUser', accountId: A, userId: '1000000000000101', userName: 'alice' };
const CONTEXTS: RequestContext[] = [
  {},
  { 'acs:MFAPresent': { type: 'Bool', values: [true] } },
  { 'acs:SourceIp': { type: 'IP', values: ['192.0.2.5'] } },
  { 'acs:SourceIp': { type: 'IP', values: ['10.0.0.1'] } },
  {
    'acs:MFAPresent': { type: 'Bool', values: [false] },
    'acs:SourceIp': { type: 'IP', values: ['192.0.2.5'] },
  },
];

function engineAccess(
  set: PolicySetInput,
  action: string,
  resources: readonly string[],
  rp?: ResourcePolicyInput,
): 'Allowed' | 'Conditional' | undefined {
  const allowedUnder = CONTEXTS.map((context) => {
    const ds = resources.map(
      (resource) =>
        evaluate(rp ? { ...set, resource: rp } : set, {
          principal: requestPrincipal(alice),
          action,
          resource,
          ...(rp ? { resourceOwnerAccountId: rp.ownerAccountId } : {}),
          context,
        }).decision,
    );
    return !ds.includes('ExplicitDeny') && ds.includes('Allow');
  });
  return allowedUnder[0] ? 'Allowed' : allowedUnder.includes(true) ? 'Conditional' : undefined;
}

const identity = (...statements: object[]): PolicySetInput => ({
  identity: [{ name: 'p', type: 'Custom', attachedTo: 'user', document: doc(...statements) }],
});
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
const ROLE = `acs:ram::${A}:role/admin`;
const trust = (...statements: object[]): ResourcePolicyInput => ({
  kind: 'trust-policy',
  name: 'Admin',
  ownerAccountId: A,
  document: doc(...statements),
});
const bucket = (...statements: object[]): ResourcePolicyInput => ({
  kind: 'oss-bucket-policy',
  name: 'b',
  ownerAccountId: A,
  document: doc(...statements),
});
const OBJECT = `acs:oss:*:${A}:b/k`;
const trustAlice = {
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Principal: { RAM: [`acs:ram::${A}:user/alice`] },
};

const cases: {
  name: string;
  set: PolicySetInput;
  action: string;
  resource: string;
  alsoAs?: string;
  rp?: ResourcePolicyInput;
  access: 'Allowed' | 'Conditional' | undefined;
  deniedWhen?: string[];
}[] = [
  {
    name: 'trust policy Allow under MFA',
    set: identity(allowAll),
    action: 'sts:AssumeRole',
    resource: ROLE,
    rp: trust({ ...trustAlice, Condition: { Bool: { 'acs:MFAPresent': 'true' } } }),
    access: 'Conditional',
  },
  {
    name: 'trust policy Deny under a condition',
    set: identity(allowAll),
    action: 'sts:AssumeRole',
    resource: ROLE,
    rp: trust(trustAlice, {
      Effect: 'Deny',
      Action: 'sts:AssumeRole',
      Principal: { RAM: [`acs:ram::${A}:root`] },
      Condition: { Bool: { 'acs:MFAPresent': 'false' } },
    }),
    // No key at all: the Deny does not hold (Bool needs a value), but it would with MFAPresent false.
    access: 'Allowed',
    deniedWhen: ['Bool acs:MFAPresent false'],
  },
  {
    name: "trust policy Deny under a condition for someone else: not alice's",
    set: identity(allowAll),
    action: 'sts:AssumeRole',
    resource: ROLE,
    rp: trust(trustAlice, {
      Effect: 'Deny',
      Action: 'sts:AssumeRole',
      Principal: { RAM: [`acs:ram::${A}:user/bob`] },
      Condition: { Bool: { 'acs:MFAPresent': 'false' } },
    }),
    access: 'Allowed',
    deniedWhen: [],
  },
  {
    name: 'trust policy Allow with an empty Condition',
    set: identity(allowAll),
    action: 'sts:AssumeRole',
    resource: ROLE,
    rp: trust({ ...trustAlice, Condition: {} }),
    access: 'Allowed',
  },
  {
    name: 'bucket Deny under NotIpAddress',
    set: identity(allowAll),
    action: 'oss:GetObject',
    resource: OBJECT,
    rp: bucket({
      Effect: 'Deny',
      Action: ['oss:*'],
      Principal: ['*'],
      Resource: [`acs:oss:*:${A}:b/*`],
      Condition: { NotIpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
    }),
    access: 'Conditional',
    deniedWhen: ['NotIpAddress acs:SourceIp 192.0.2.0/24'],
  },
  {
    name: 'bucket Allow under IpAddress, no identity grant',
    set: identity(),
    action: 'oss:GetObject',
    resource: OBJECT,
    rp: bucket({
      Effect: 'Allow',
      Action: ['oss:GetObject'],
      Principal: ['*'],
      Resource: [`acs:oss:*:${A}:b/*`],
      Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
    }),
    access: 'Conditional',
  },
  {
    name: 'identity Deny with an empty Condition',
    set: identity(allowAll, { Effect: 'Deny', Action: 'oss:GetObject', Resource: '*', Condition: {} }),
    action: 'oss:GetObject',
    resource: OBJECT,
    access: undefined,
  },
  {
    name: 'identity Allow whose only clause has an unknown operator (never holds)',
    set: identity({
      Effect: 'Allow',
      Action: 'oss:GetObject',
      Resource: '*',
      Condition: { StringEqualsAnything: { 'acs:SourceIp': 'x' } },
    }),
    action: 'oss:GetObject',
    resource: OBJECT,
    access: undefined,
  },
  {
    name: 'identity Deny whose clause has an unknown operator (never matches)',
    set: identity(allowAll, {
      Effect: 'Deny',
      Action: 'oss:GetObject',
      Resource: '*',
      Condition: { StringEqualsAnything: { 'acs:SourceIp': 'x' } },
    }),
    action: 'oss:GetObject',
    resource: OBJECT,
    access: 'Allowed',
    deniedWhen: [],
  },
  {
    name: 'a role named in its stored case by the identity policy',
    set: identity({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${A}:role/Admin` }),
    action: 'sts:AssumeRole',
    resource: ROLE,
    alsoAs: `acs:ram::${A}:role/Admin`,
    rp: trust(trustAlice),
    access: 'Allowed',
  },
  {
    name: 'a role denied in its stored case',
    set: identity(allowAll, {
      Effect: 'Deny',
      Action: 'sts:AssumeRole',
      Resource: `acs:ram::${A}:role/Admin`,
    }),
    action: 'sts:AssumeRole',
    resource: ROLE,
    alsoAs: `acs:ram::${A}:role/Admin`,
    rp: trust(trustAlice),
    access: undefined,
  },
];

describe('decideAccess agrees with the engine', () => {
  it.each(cases)('$name', (c) => {
    const resources = c.alsoAs ? [c.resource, c.alsoAs] : [c.resource];
    expect(engineAccess(c.set, c.action, resources, c.rp)).toBe(c.access);
    const d = decideAccess(c.set, alice, c.action, c.resource, c.rp, c.alsoAs);
    expect(d?.access).toBe(c.access);
    if (c.deniedWhen) expect(d?.deniedWhen).toEqual(c.deniedWhen);
  });
});

describe("another account's resource policy", () => {
  const B = '2000000000000002';
  const bucket = (...statements: object[]): ResourcePolicyInput => ({
    kind: 'oss-bucket-policy',
    name: 'theirs',
    ownerAccountId: B,
    document: doc(...statements),
  });
  const shared = bucket(
    {
      Sid: 'PartnerFromOffice',
      Effect: 'Allow',
      Principal: [A],
      Action: 'oss:GetObject',
      Resource: `acs:oss:*:${B}:theirs/*`,
      Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
    },
    {
      Effect: 'Deny',
      Principal: [A],
      Action: 'oss:GetObject',
      Resource: `acs:oss:*:${B}:theirs/*`,
      Condition: { Bool: { 'acs:MFAPresent': 'false' } },
    },
  );

  it('names the statements that decide, never their Sids or conditions', () => {
    const resource = `acs:oss:*:${B}:theirs/report.csv`;
    expect(engineAccess({ identity: [] }, 'oss:GetObject', [resource], shared)).toBe('Conditional');
    const d = decideAccess({ identity: [] }, alice, 'oss:GetObject', resource, shared);
    expect(d).toEqual({
      access: 'Conditional',
      allowedBy: [
        {
          policyName: 'theirs',
          attachedTo: 'bucket',
          statement: 0,
          conditions: ["conditions of another account's bucket policy, not shown"],
        },
      ],
      deniedWhen: ["conditions of another account's bucket policy, not shown"],
    });
    expect(JSON.stringify(d)).not.toMatch(/PartnerFromOffice|192\.0\.2|MFAPresent/);
  });

  it("shows an own bucket policy's conditions", () => {
    const own = { ...shared, ownerAccountId: A, document: (shared.document as string).replaceAll(B, A) };
    const d = decideAccess({ identity: [] }, alice, 'oss:GetObject', `acs:oss:*:${A}:theirs/a`, own);
    expect(JSON.stringify(d)).toMatch(/PartnerFromOffice/);
    expect(d?.deniedWhen).toEqual(['Bool acs:MFAPresent false']);
  });
});
