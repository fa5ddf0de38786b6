import { describe, expect, it } from 'vitest';
import { diffPolicies, formatDiff } from '../../src/cli/policy-diff.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });

describe('policy diff', () => {
  it('lists what a change grants, takes away, and where it widens an old grant', () => {
    const before = doc(
      { Effect: 'Allow', Action: ['oss:GetObject', 'oss:ListObjects'], Resource: 'acs:oss:*:*:reports/*' },
      { Effect: 'Deny', Action: 'oss:DeleteObject', Resource: '*' },
    );
    const after = doc(
      { Effect: 'Allow', Action: ['oss:Get*', 'oss:ListObjects'], Resource: 'acs:oss:*:*:reports/*' },
      {
        Effect: 'Allow',
        Action: 'oss:PutObject',
        Resource: 'acs:oss:*:*:reports/*',
        Condition: { IpAddress: { 'acs:SourceIp': ['192.0.2.0/24'] } },
      },
    );
    const d = diffPolicies(before, after);
    expect(d.added.map((g) => `${g.effect} ${g.action} ${g.resource}`)).toEqual([
      'Allow oss:Get* acs:oss:*:*:reports/*',
      'Allow oss:PutObject acs:oss:*:*:reports/*',
    ]);
    expect(d.removed.map((g) => `${g.effect} ${g.action}`)).toEqual([
      'Allow oss:GetObject',
      'Deny oss:DeleteObject',
    ]);
    expect(d.widened).toHaveLength(1);
    expect(d.widened[0]!.covers[0]!.action).toBe('oss:GetObject');
    const text = formatDiff(d);
    expect(text).toContain(
      '+ allows oss:PutObject on acs:oss:*:*:reports/* when IpAddress acs:SourceIp 192.0.2.0/24',
    );
    expect(text).toContain('- denies oss:DeleteObject on *');
    expect(text).toContain(
      '! wider: oss:Get* on acs:oss:*:*:reports/* covers oss:GetObject on acs:oss:*:*:reports/*',
    );
    expect(text).toMatch(/2 added, 2 removed; 2 new allow\(s\) and 1 removed deny\(s\) may grant more\.$/);
  });

  it('sees no change in a reordered document, and refuses an invalid one', () => {
    const a = doc({ Effect: 'Allow', Action: ['ram:GetUser', 'ram:ListUsers'], Resource: '*' });
    const b = JSON.stringify({
      Statement: [{ Resource: '*', Action: ['ram:ListUsers', 'ram:GetUser'], Effect: 'Allow' }],
      Version: '1',
    });
    expect(formatDiff(diffPolicies(a, b))).toBe('No change in what the policy grants or denies.');
    expect(() => diffPolicies(a, '{"Version":"1","Statement":[{"Effect":"Allow"}]}')).toThrow(
      /not a valid permission policy/,
    );
  });
});
