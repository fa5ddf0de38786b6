import { describe, expect, it } from 'vitest';
import { evaluate, systemPolicies, validatePolicy } from '../../src/policy/index.js';
import { alice } from './helpers.js';

describe('system policy catalogue', () => {
  const all = systemPolicies();

  it('ships the 59 reference policies, read-only', () => {
    expect(all).toHaveLength(59);
    expect(new Set(all.map((p) => p.name)).size).toBe(59);
    expect(Object.isFrozen(all)).toBe(true);
    expect(Object.isFrozen(all[0])).toBe(true);
  });

  for (const p of all) {
    it(`${p.name} validates as a permission policy`, () => {
      expect(p.type).toBe('System');
      expect(p.version).toMatch(/^v[1-9][0-9]*$/);
      expect(p.description.length).toBeGreaterThan(0);
      expect(p.createDate).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(validatePolicy(p.document, 'permission')).toEqual([]);
    });
  }

  const decide = (name: string, action: string, resource = '*') => {
    const p = all.find((x) => x.name === name)!;
    return evaluate(
      { identity: [{ name, type: 'System', version: p.version, document: p.document }] },
      {
        principal: alice,
        action,
        resource,
        context: {},
      },
    ).decision;
  };

  it.each([
    ['AdministratorAccess', 'ram:DeleteUser', 'Allow'],
    ['ReadOnlyAccess', 'rds:DescribeDBInstances', 'Allow'],
    ['ReadOnlyAccess', 'rds:DeleteDBInstance', 'ImplicitDeny'],
    ['AliyunOSSReadOnlyAccess', 'oss:GetObject', 'Allow'],
    ['AliyunOSSReadOnlyAccess', 'oss:PutObject', 'ImplicitDeny'],
    ['AliyunECSFullAccess', 'ecs:RunInstances', 'Allow'],
  ])('%s: %s is %s', (name, action, want) => {
    expect(decide(name, action)).toBe(want);
  });
});
