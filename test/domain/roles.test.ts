import { expect, it } from 'vitest';
import { TRUST, expectApiError, forEachBackend } from './harness.js';

forEachBackend('roles', (w) => {
  it('creates a role with its trust policy, ARN (lower-cased name) and default duration', async () => {
    const { domain, accountId, clock } = w();
    const trust = TRUST(accountId);
    const r = await domain.roles.create(accountId, {
      roleName: 'ECSAdmin',
      assumeRolePolicyDocument: trust,
      description: 'ecs',
    });
    expect(r.roleId).toMatch(/^[1-9]\d{18}$/);
    expect(r).toMatchObject({
      roleName: 'ECSAdmin',
      arn: `acs:ram::${accountId}:role/ecsadmin`,
      description: 'ecs',
      assumeRolePolicyDocument: trust,
      maxSessionDuration: 3600,
      createDate: '2026-01-15T10:00:00Z',
      tags: [],
    });
    expect(await domain.roles.get(accountId, 'ecsadmin')).toEqual(r);
    expect(await domain.roles.findById(accountId, r.roleId)).toEqual(r);
    await expectApiError(
      domain.roles.create(accountId, { roleName: 'ecsADMIN', assumeRolePolicyDocument: trust }),
      'EntityAlreadyExists.Role',
      'The role does already EXIST.',
    );
    clock.advance(2000);
    const u = await domain.roles.update(accountId, 'ECSAdmin', {
      newDescription: 'new',
      newMaxSessionDuration: 43200,
    });
    expect(u).toMatchObject({
      description: 'new',
      maxSessionDuration: 43200,
      updateDate: '2026-01-15T10:00:02Z',
      roleId: r.roleId,
    });
    await domain.roles.delete(accountId, 'ECSADMIN');
    await expectApiError(
      domain.roles.get(accountId, 'ECSAdmin'),
      'EntityNotExist.Role',
      'The specified Role not exists.',
    );
  });

  it('validates names, durations, descriptions and trust policies', async () => {
    const { domain, accountId } = w();
    const trust = TRUST(accountId);
    const cases: [Record<string, unknown>, string, string?][] = [
      [
        { roleName: '' },
        'InvalidParameter.RoleName.Length',
        'The parameter - "RoleName" beyond the length limit.',
      ],
      [{ roleName: 'r'.repeat(65) }, 'InvalidParameter.RoleName.Length'],
      [
        { roleName: 'a_b' },
        'InvalidParameter.RoleName.InvalidChars',
        'The parameter - "RoleName" contains invalid chars.',
      ],
      [
        { roleName: 'ok', maxSessionDuration: 3599 },
        'InvalidParameter',
        'The parameter - "MaxSessionDuration" MUST be in the range of 3600 and 43200.',
      ],
      [{ roleName: 'ok', maxSessionDuration: 43201 }, 'InvalidParameter'],
      [{ roleName: 'ok', description: 'd'.repeat(1025) }, 'InvalidParameter.Description.Length'],
      [{ roleName: 'ok', assumeRolePolicyDocument: '{not json' }, 'MalformedPolicyDocument'],
      [
        { roleName: 'ok', assumeRolePolicyDocument: 'x'.repeat(7000) },
        'InvalidParameter.AssumeRolePolicyDocument.Length',
      ],
      [{ roleName: 'ok', tags: [{ tagKey: 'acs:x', tagValue: 'v' }] }, 'InvalidParameter'],
    ];
    for (const [input, code, message] of cases) {
      await expectApiError(
        domain.roles.create(accountId, { assumeRolePolicyDocument: trust, ...input } as never),
        code,
        message,
      );
    }
    expect((await domain.roles.list(accountId)).items).toEqual([]);
    await domain.roles.create(accountId, { roleName: 'ok', assumeRolePolicyDocument: trust });
    await expectApiError(
      domain.roles.update(accountId, 'ok', { newAssumeRolePolicyDocument: '[]' }),
      'MalformedPolicyDocument',
    );
    await expectApiError(
      domain.roles.update(accountId, 'ok', { newAssumeRolePolicyDocument: 'x'.repeat(7000) }),
      'InvalidParameter.NewAssumeRolePolicyDocument.Length',
    );
    await expectApiError(
      domain.roles.update(accountId, 'ok', { newMaxSessionDuration: 100 }),
      'InvalidParameter',
    );
    await expectApiError(
      domain.roles.update(accountId, 'nope', { newDescription: 'x' }),
      'EntityNotExist.Role',
    );
    expect((await domain.roles.get(accountId, 'ok')).assumeRolePolicyDocument).toBe(trust);
  });

  it('refuses to delete a role with policies', async () => {
    const { domain, accountId } = w();
    await domain.roles.create(accountId, { roleName: 'r', assumeRolePolicyDocument: TRUST(accountId) });
    await domain.attachments.attach(
      accountId,
      { kind: 'role', roleName: 'r' },
      'System',
      'AdministratorAccess',
    );
    await expectApiError(
      domain.roles.delete(accountId, 'r'),
      'DeleteConflict.Role.Policy',
      'The role has policies attached, detach them first: r.',
    );
    await domain.attachments.detach(
      accountId,
      { kind: 'role', roleName: 'r' },
      'System',
      'AdministratorAccess',
    );
    await domain.roles.delete(accountId, 'r');
  });

  it('lists roles with paging, tags and a tag filter', async () => {
    const { domain, accountId } = w();
    const trust = TRUST(accountId);
    await domain.roles.create(accountId, {
      roleName: 'c',
      assumeRolePolicyDocument: trust,
      tags: [{ tagKey: 'env', tagValue: 'prod' }],
    });
    await domain.roles.create(accountId, {
      roleName: 'a',
      assumeRolePolicyDocument: trust,
      tags: [
        { tagKey: 'env', tagValue: 'dev' },
        { tagKey: 'team', tagValue: 'x' },
      ],
    });
    await domain.roles.create(accountId, { roleName: 'b', assumeRolePolicyDocument: trust });
    const p1 = await domain.roles.list(accountId, { maxItems: 2 });
    expect(p1.items.map((r) => r.roleName)).toEqual(['a', 'b']);
    expect(p1.items[0]!.tags).toEqual([
      { tagKey: 'env', tagValue: 'dev' },
      { tagKey: 'team', tagValue: 'x' },
    ]);
    const p2 = await domain.roles.list(accountId, { maxItems: 2, marker: p1.marker });
    expect(p2.items.map((r) => r.roleName)).toEqual(['c']);
    expect(
      (await domain.roles.list(accountId, { tags: [{ tagKey: 'env' }] })).items.map((r) => r.roleName),
    ).toEqual(['a', 'c']);
    expect(
      (await domain.roles.list(accountId, { tags: [{ tagKey: 'env', tagValue: 'prod' }] })).items.map(
        (r) => r.roleName,
      ),
    ).toEqual(['c']);
    expect(
      (await domain.roles.list(accountId, { tags: [{ tagKey: 'env' }, { tagKey: 'team' }] })).items.map(
        (r) => r.roleName,
      ),
    ).toEqual(['a']);
  });

  it('enforces the role quota', async () => {
    const { domain, accountId } = w();
    await domain.accounts.setQuotas(accountId, { rolesPerAccount: 1 });
    await domain.roles.create(accountId, { roleName: 'a', assumeRolePolicyDocument: TRUST(accountId) });
    await expectApiError(
      domain.roles.create(accountId, { roleName: 'b', assumeRolePolicyDocument: TRUST(accountId) }),
      'LimitExceeded.Role',
      'The count of roles beyond the current limits: 1.',
    );
  });
});
