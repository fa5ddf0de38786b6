import { describe, expect, it } from 'vitest';
import {
  evaluate,
  explainDecision,
  interpret,
  type Decision,
  type PolicySetInput,
} from '../../src/policy/index.js';
import { ACCOUNT, ip, request, table } from './helpers.js';

const set = (...statements: object[]): PolicySetInput => ({
  identity: [
    { name: 'rd', type: 'Custom', version: 'v2', document: { Version: '1', Statement: statements } },
  ],
});

function both(s: PolicySetInput, r = request({})): Decision {
  const a = interpret(s, r);
  const b = evaluate(s, r);
  expect(b.nearestMiss).toEqual(a.nearestMiss);
  expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));
  return a;
}

describe('nearest miss', () => {
  it('names the action that did not match', () => {
    const d = both(set({ Effect: 'Allow', Action: 'ecs:Delete*', Resource: '*' }));
    expect(d.nearestMiss).toEqual({
      statement: {
        layer: 'identity',
        policy: 0,
        statement: 0,
        policyName: 'rd',
        policyType: 'Custom',
        policyVersion: 'v2',
      },
      effect: 'Allow',
      reason: 'action',
      detail: 'Action ecs:Delete* does not cover ecs:DescribeInstances',
    });
  });

  it('prefers a statement that got further (resource over action)', () => {
    const d = both(
      set(
        { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
        { Sid: 'Hz', Effect: 'Allow', Action: 'ecs:*', Resource: 'acs:ecs:cn-beijing:*:*' },
      ),
    );
    expect(d.nearestMiss?.statement.sid).toBe('Hz');
    expect(d.nearestMiss?.reason).toBe('resource');
    expect(d.nearestMiss?.detail).toBe(
      `Resource acs:ecs:cn-beijing:*:* does not cover acs:ecs:cn-hangzhou:${ACCOUNT}:instance/i-1`,
    );
  });

  it('says which condition failed and with what values', () => {
    const d = both(
      set({
        Effect: 'Allow',
        Action: 'ecs:*',
        Resource: '*',
        Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
      }),
      request({ 'acs:SourceIp': ip('10.1.1.1') }),
    );
    expect(d.nearestMiss?.reason).toBe('condition');
    expect(d.nearestMiss?.detail).toBe(
      'Condition IpAddress["acs:SourceIp"] failed: 10.1.1.1 is not in 192.0.2.0/24',
    );
  });

  it('reports an absent key', () => {
    const d = both(
      set({
        Effect: 'Allow',
        Action: 'ecs:*',
        Resource: '*',
        Condition: { DateLessThan: { 'acs:CurrentTime': '2026-01-01' } },
      }),
    );
    expect(d.nearestMiss?.detail).toBe(
      'Condition DateLessThan["acs:CurrentTime"] failed: the request has no acs:CurrentTime',
    );
  });

  it('reports a principal miss in a trust policy', () => {
    const c = table.cases.find((x) => x.id === 'trust-003')!;
    const d = both(c.policies, c.request);
    expect(d.missingAllowIn).toBe('trust');
    expect(d.nearestMiss).toMatchObject({
      reason: 'principal',
      statement: { layer: 'trust', policy: 0, statement: 0 },
    });
    expect(d.nearestMiss?.detail).toBe(`Principal does not name acs:ram::${ACCOUNT}:user/alice`);
  });

  it('looks at the control level that failed', () => {
    const c = table.cases.find((x) => x.id === 'control-004')!;
    const d = both(c.policies, c.request);
    expect(d.nearestMiss).toMatchObject({
      reason: 'action',
      statement: { layer: 'control', level: 1, policy: 0 },
    });
  });

  it('is absent when the missing layer has no Allow statement at all', () => {
    expect(both({ identity: [] }).nearestMiss).toBeUndefined();
  });
});

describe('explainDecision', () => {
  it('explains an Allow', () => {
    const d = both(set({ Sid: 'Ecs', Effect: 'Allow', Action: 'ecs:*', Resource: '*' }));
    expect(explainDecision(d)).toBe(
      'Allowed by statement 0 (Sid "Ecs") of identity policy "rd" (Custom, v2). No Deny statement matched and every layer that must allow did.',
    );
  });

  it('explains an explicit deny by a control policy', () => {
    const c = table.cases.find((x) => x.id === 'control-002')!;
    expect(explainDecision(evaluate(c.policies, c.request))).toMatch(
      /^Explicitly denied by statement 0 of control policy "[^"]+" at level 0 \(the member\)\. A matching Deny overrides every Allow, in any policy\.$/,
    );
  });

  it('explains an implicit deny with its nearest miss', () => {
    const d = both(set({ Effect: 'Allow', Action: 'ecs:Delete*', Resource: '*' }));
    expect(explainDecision(d)).toBe(
      "Implicitly denied: no Allow statement in the caller's identity policies (its own, its groups' or its role's) matched the request, and access is denied by default. The nearest was statement 0 of identity policy \"rd\" (Custom, v2), which did not apply: Action ecs:Delete* does not cover ecs:DescribeInstances.",
    );
  });

  it('explains the account root shortcut', () => {
    const c = table.cases.find((x) => x.id === 'control-006')!;
    expect(explainDecision(evaluate(c.policies, c.request))).toBe(
      'Allowed: the account itself (root) has full rights over its own resources.',
    );
  });
});

describe('explainDecision without a candidate statement', () => {
  it('says so when the missing layer has no Allow statement', () => {
    const c = table.cases.find((x) => x.id === 'bucket-006')!;
    expect(explainDecision(evaluate(c.policies, c.request))).toBe(
      "Implicitly denied: no Allow statement in the target's resource policy (for another account's resource only it can grant) matched the request, and access is denied by default. There is no resource policy Allow statement to compare with.",
    );
  });

  it('names an unnamed session policy as the session policy', () => {
    const c = table.cases.find((x) => x.id === 'session-002')!;
    expect(explainDecision(evaluate(c.policies, c.request))).toContain(
      'The nearest was statement 0 of the session policy,',
    );
  });
});
