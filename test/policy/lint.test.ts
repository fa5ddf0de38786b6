import { describe, expect, it } from 'vitest';
import { lintPolicy, type PolicyKind } from '../../src/policy/index.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });

describe('lintPolicy', () => {
  const rows: [string, string, PolicyKind, [string, string, string][]][] = [
    [
      'Allow * on *',
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
      'permission',
      [
        [
          'AllowAllActionsOnAllResources',
          'Statement[0]',
          'This statement allows every action on every resource (administrator access)',
        ],
      ],
    ],
    [
      'Allow * on * under a condition is not flagged',
      doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'acs:MFAPresent': true } } }),
      'permission',
      [],
    ],
    [
      'FullAliyunAccess as a control policy is the default, not flagged',
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
      'control',
      [],
    ],
    [
      'Allow with NotAction',
      doc({ Effect: 'Allow', NotAction: 'ram:*', Resource: '*' }),
      'permission',
      [
        [
          'AllowWithNotAction',
          'Statement[0].NotAction',
          'Allow with NotAction grants every action except those listed, including actions of services added later',
        ],
      ],
    ],
    [
      'Allow with NotResource',
      doc({ Effect: 'Allow', Action: 'oss:GetObject', NotResource: 'acs:oss:*:*:secret/*' }),
      'permission',
      [
        [
          'AllowWithNotResource',
          'Statement[0].NotResource',
          'Allow with NotResource grants every resource except those listed',
        ],
      ],
    ],
    [
      'unknown service code',
      doc({ Effect: 'Allow', Action: ['ecs:Describe*', 'esc:StartInstance'], Resource: '*' }),
      'permission',
      [
        [
          'UnknownService',
          'Statement[0].Action[1]',
          '"esc" is not a known service code; check the spelling of "esc:StartInstance"',
        ],
      ],
    ],
    [
      'wildcard service codes are not flagged',
      doc({ Effect: 'Allow', Action: ['*:Describe*', 'yundun-*:*'], Resource: '*' }),
      'permission',
      [],
    ],
    [
      'oss:Prefix on ECS actions',
      doc({
        Effect: 'Allow',
        Action: 'ecs:DescribeInstances',
        Resource: '*',
        Condition: { StringLike: { 'oss:Prefix': 'a/*' } },
      }),
      'permission',
      [
        [
          'ConditionKeyNotApplicable',
          'Statement[0].Condition.StringLike["oss:Prefix"]',
          'oss:Prefix is a oss condition key but this statement covers only ecs actions: the key is never present, so the condition never holds',
        ],
      ],
    ],
    [
      'oss:Prefix on OSS actions is fine',
      doc({
        Effect: 'Allow',
        Action: 'oss:ListObjects',
        Resource: '*',
        Condition: { StringLike: { 'oss:Prefix': 'a/*' } },
      }),
      'permission',
      [],
    ],
    [
      'global and tag keys are fine anywhere',
      doc({
        Effect: 'Allow',
        Action: 'ecs:RunInstances',
        Resource: '*',
        Condition: { StringEquals: { 'acs:RequestTag/env': 'dev', 'acs:SourceVpc': 'vpc-1' } },
      }),
      'permission',
      [],
    ],
    [
      'sts:ExternalId in a trust policy is fine',
      doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: 'acs:ram::1234567890123456:root' },
        Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
      }),
      'trust',
      [],
    ],
    [
      'Deny NotAction * never matches',
      doc({ Effect: 'Deny', NotAction: '*', Resource: '*' }),
      'permission',
      [
        [
          'DenyNeverMatches',
          'Statement[0].NotAction',
          'This Deny can never match: NotAction "*" excludes every action',
        ],
      ],
    ],
    [
      'Deny with disjoint date bounds',
      doc({
        Effect: 'Deny',
        Action: 'oss:*',
        Resource: '*',
        Condition: {
          DateGreaterThan: { 'acs:CurrentTime': '2026-02-01' },
          DateLessThan: { 'acs:CurrentTime': '2026-01-01' },
        },
      }),
      'permission',
      [
        [
          'DenyNeverMatches',
          'Statement[0].Condition.DateLessThan["acs:CurrentTime"]',
          'This Deny can never match a single value of acs:CurrentTime: its lower bound is not below its upper bound',
        ],
      ],
    ],
    [
      'Deny with a closed one-point range is fine',
      doc({
        Effect: 'Deny',
        Action: 'oss:*',
        Resource: '*',
        Condition: {
          NumericGreaterThanEquals: { 'example:n': 3 },
          NumericLessThanEquals: { 'example:n': 3 },
        },
      }),
      'permission',
      [],
    ],
  ];
  for (const [title, text, kind, want] of rows) {
    it(title, () => {
      const got = lintPolicy(text, kind);
      expect(got.map((w) => [w.reason, w.path, w.message])).toEqual(want);
      for (const w of got) expect(w).toMatchObject({ severity: 'warning', code: 'PolicyWarning' });
    });
  }

  it('has nothing to say about a document that does not parse', () => {
    expect(lintPolicy('{', 'permission')).toEqual([]);
  });
});
