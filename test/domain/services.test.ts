import { expect, it } from 'vitest';
import { ALLOW_ALL, TRUST, doc, forEachBackend } from './harness.js';

forEachBackend('request-path services', (w) => {
  it('claims a nonce once per key; expired nonces can be claimed again', async () => {
    const { services, clock } = w();
    const nonce = `n-${Math.random()}`;
    const exp = new Date(clock.now.getTime() + 15 * 60_000);
    expect(await services.nonces.claim('LTAIkey1', nonce, exp)).toBe(true);
    expect(await services.nonces.claim('LTAIkey1', nonce, exp)).toBe(false);
    expect(await services.nonces.claim('LTAIkey2', nonce, exp)).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => services.nonces.claim('LTAIkey3', nonce, exp)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    clock.advance(16 * 60_000);
    expect(await services.nonces.claim('LTAIkey1', nonce, new Date(clock.now.getTime() + 60_000))).toBe(true);
  });

  it('resolves the identity policies of users (own and via groups), roles and root', async () => {
    const { domain, services, accountId } = w();
    const u = await domain.users.create(accountId, { userName: 'u' });
    await domain.groups.create(accountId, { groupName: 'devs' });
    await domain.groups.addUser(accountId, 'devs', 'u');
    await domain.policies.create(accountId, { policyName: 'Mine', policyDocument: doc('ecs:Describe*') });
    await domain.policies.createVersion(accountId, 'Mine', {
      policyDocument: doc('ecs:*'),
      setAsDefault: true,
    });
    await domain.attachments.attach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'Mine');
    await domain.attachments.attach(
      accountId,
      { kind: 'group', groupName: 'devs' },
      'System',
      'AdministratorAccess',
    );
    const principal = { type: 'RAMUser' as const, accountId, userId: u.userId, userName: 'u' };
    const got = await services.policies.identityPolicies(principal);
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual({
      name: 'Mine',
      type: 'Custom',
      version: 'v2',
      attachedTo: 'user',
      document: doc('ecs:*'),
    });
    expect(got[1]).toMatchObject({
      name: 'AdministratorAccess',
      type: 'System',
      version: 'v1',
      attachedTo: 'group:devs',
    });
    expect(JSON.parse(got[1]!.document as string)).toMatchObject({
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });

    const role = await domain.roles.create(accountId, {
      roleName: 'R',
      assumeRolePolicyDocument: TRUST(accountId),
    });
    await domain.policies.create(accountId, { policyName: 'RolePol', policyDocument: ALLOW_ALL });
    await domain.attachments.attach(accountId, { kind: 'role', roleName: 'R' }, 'Custom', 'RolePol');
    const session = {
      type: 'AssumedRole' as const,
      accountId,
      roleId: role.roleId,
      roleName: 'R',
      sessionName: 's',
      accessKeyId: 'STS.x',
    };
    expect(await services.policies.identityPolicies(session)).toEqual([
      { name: 'RolePol', type: 'Custom', version: 'v1', attachedTo: 'role:R', document: ALLOW_ALL },
    ]);
    expect(await services.policies.identityPolicies({ type: 'Root', accountId })).toEqual([]);
  });

  it('bumps the permissions version on every permission-affecting change, and not on reads', async () => {
    const { domain, services, accountId } = w();
    const version = () => services.policies.permissionsVersion(accountId);
    const steps: [string, () => Promise<unknown>, boolean][] = [
      ['create user', () => domain.users.create(accountId, { userName: 'u' }), false],
      ['create group', () => domain.groups.create(accountId, { groupName: 'g' }), false],
      ['add to group', () => domain.groups.addUser(accountId, 'g', 'u'), true],
      [
        'create policy',
        () => domain.policies.create(accountId, { policyName: 'P', policyDocument: ALLOW_ALL }),
        false,
      ],
      [
        'attach to user',
        () => domain.attachments.attach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'P'),
        true,
      ],
      [
        'attach to group',
        () => domain.attachments.attach(accountId, { kind: 'group', groupName: 'g' }, 'Custom', 'P'),
        true,
      ],
      [
        'new non-default version',
        () => domain.policies.createVersion(accountId, 'P', { policyDocument: doc('ecs:*') }),
        false,
      ],
      ['set default version', () => domain.policies.setDefaultVersion(accountId, 'P', 'v2'), true],
      ['delete version', () => domain.policies.deleteVersion(accountId, 'P', 'v1'), true],
      ['read policy', () => domain.policies.get(accountId, 'Custom', 'P'), false],
      [
        'detach from user',
        () => domain.attachments.detach(accountId, { kind: 'user', userName: 'u' }, 'Custom', 'P'),
        true,
      ],
      ['remove from group', () => domain.groups.removeUser(accountId, 'g', 'u'), true],
      [
        'cascade delete policy',
        () => domain.policies.delete(accountId, 'P', { cascadingDelete: true }),
        true,
      ],
      ['delete group', () => domain.groups.delete(accountId, 'g'), true],
      ['delete user', () => domain.users.delete(accountId, 'u'), true],
    ];
    for (const [label, step, bumps] of steps) {
      const before = await version();
      await step();
      const after = await version();
      expect({ label, bumped: after > before }).toEqual({ label, bumped: bumps });
    }
  });
});
