import { expect, it } from 'vitest';
import { ALLOW_ALL, TRUST, expectApiError, forEachBackend } from './harness.js';

forEachBackend('accounts, alias, security preference and tags', (w) => {
  it('creates accounts with random 16-digit ids, root login names and a verifiable root password', async () => {
    const { domain } = w();
    const alias = `acme-${Math.floor(Math.random() * 1e9)}`;
    const a = await domain.accounts.create({ alias, rootPassword: 'Root-Pass-1' });
    expect(a.accountId).toMatch(/^[1-9]\d{15}$/);
    expect(a).toEqual({ accountId: a.accountId, alias, rootLoginName: `root@${alias}.onaliyun.com` });
    const b = await domain.accounts.create({ rootPassword: 'Root-Pass-2' });
    expect(b.rootLoginName).toBe(`root@${b.accountId}.onaliyun.com`);
    expect(await domain.accounts.verifyRootPassword(a.accountId, 'Root-Pass-1')).toBe(true);
    expect(await domain.accounts.verifyRootPassword(a.accountId, 'Root-Pass-2')).toBe(false);
    expect(await domain.accounts.verifyRootPassword('0000000000000000', 'Root-Pass-1')).toBe(false);
    await domain.accounts.setRootPassword(a.accountId, 'Another-Pass-3');
    expect(await domain.accounts.verifyRootPassword(a.accountId, 'Another-Pass-3')).toBe(true);
    expect((await domain.accounts.get(a.accountId))?.defaultDomain).toBe(`${alias}.onaliyun.com`);
    expect(await domain.accounts.get('1234')).toBeUndefined();
    const ids = (await domain.accounts.list()).map((x) => x.accountId);
    expect(ids).toEqual(expect.arrayContaining([a.accountId, b.accountId]));
    expect((await domain.accounts.findByAliasOrId(`${alias}.onaliyun.com`))?.accountId).toBe(a.accountId);
    expect((await domain.accounts.findByAliasOrId(b.accountId))?.accountId).toBe(b.accountId);
    await expectApiError(
      domain.accounts.create({ alias, rootPassword: 'Root-Pass-4' }),
      'EntityAlreadyExists.AccountAlias',
      `The account alias already exists: ${alias}.`,
    );
    await expectApiError(
      domain.accounts.create({ rootPassword: 'short' }),
      'InvalidParameter.Password.TooWeak',
    );
  });

  it('sets, reads and clears the alias with its rules; aliases are unique across accounts', async () => {
    const { domain, accountId } = w();
    expect(await domain.accounts.getAlias(accountId)).toBe('');
    const bad: [string, string, string][] = [
      [
        'ab',
        'InvalidParameter.AccountAlias.Length',
        'The parameter - "AccountAlias" MUST be in the range of 3 and 32.',
      ],
      [
        'a'.repeat(33),
        'InvalidParameter.AccountAlias.Length',
        'The parameter - "AccountAlias" MUST be in the range of 3 and 32.',
      ],
      [
        'Upper',
        'InvalidParameter.AccountAlias.Format',
        'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
      ],
      [
        '-abc',
        'InvalidParameter.AccountAlias.Format',
        'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
      ],
      [
        'abc-',
        'InvalidParameter.AccountAlias.Format',
        'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
      ],
      [
        'a--b',
        'InvalidParameter.AccountAlias.Format',
        'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
      ],
      [
        'a_b',
        'InvalidParameter.AccountAlias.Format',
        'The parameter - "AccountAlias" may hold only lowercase letters, digits and single hyphens, not at either end.',
      ],
    ];
    for (const [alias, code, message] of bad)
      await expectApiError(domain.accounts.setAlias(accountId, alias), code, message);
    const alias = `co-${Math.floor(Math.random() * 1e9)}`;
    await domain.accounts.setAlias(accountId, alias);
    await domain.accounts.setAlias(accountId, alias);
    expect(await domain.accounts.getAlias(accountId)).toBe(alias);
    await domain.users.create(accountId, { userName: 'u' });
    expect((await domain.users.get(accountId, 'u')).userPrincipalName).toBe(`u@${alias}.onaliyun.com`);
    const other = await domain.accounts.create({ rootPassword: 'Root-Pass-9' });
    await expectApiError(
      domain.accounts.setAlias(other.accountId, alias),
      'EntityAlreadyExists.AccountAlias',
    );
    await domain.accounts.clearAlias(accountId);
    expect(await domain.accounts.getAlias(accountId)).toBe('');
    await domain.accounts.setAlias(other.accountId, alias);
    expect((await domain.accounts.get(other.accountId))?.rootLoginName).toBe(`root@${alias}.onaliyun.com`);
  });

  it('reads defaults and sets the security preference', async () => {
    const { domain, accountId } = w();
    const d = await domain.securityPreference.get(accountId);
    expect(d).toMatchObject({
      enableSaveMFATicket: false,
      allowUserToChangePassword: true,
      allowUserToManageAccessKeys: false,
      allowUserToManageMFADevices: true,
      loginSessionDuration: 6,
      loginNetworkMasks: '',
      mfaOperationForLogin: 'independent',
      enforceMFAForLogin: false,
      operationForRiskLogin: 'autonomous',
    });
    const s = await domain.securityPreference.set(accountId, {
      allowUserToManageAccessKeys: true,
      loginSessionDuration: 12,
      loginNetworkMasks: ' 10.0.0.0/8; 192.168.1.1 ;2001:db8::/32',
      enforceMFAForLogin: true,
      maxIdleDaysForUsers: 90,
    });
    expect(s).toMatchObject({
      allowUserToManageAccessKeys: true,
      loginSessionDuration: 12,
      loginNetworkMasks: '10.0.0.0/8;192.168.1.1;2001:db8::/32',
      mfaOperationForLogin: 'mandatory',
      enforceMFAForLogin: true,
      maxIdleDaysForUsers: 90,
      allowUserToChangePassword: true,
    });
    expect(await domain.securityPreference.get(accountId)).toEqual(s);
    const cleared = await domain.securityPreference.set(accountId, {
      maxIdleDaysForUsers: 0,
      mfaOperationForLogin: 'adaptive',
    });
    expect(cleared.maxIdleDaysForUsers).toBeUndefined();
    expect(cleared).toMatchObject({ mfaOperationForLogin: 'adaptive', enforceMFAForLogin: false });
    const bad: [Record<string, unknown>, string][] = [
      [
        { loginSessionDuration: 0 },
        'The parameter - "LoginSessionDuration" MUST be in the range of 1 and 24.',
      ],
      [
        { loginSessionDuration: 25 },
        'The parameter - "LoginSessionDuration" MUST be in the range of 1 and 24.',
      ],
      [
        { loginNetworkMasks: '10.0.0.0/33' },
        'The parameter - "LoginNetworkMasks" holds an invalid mask: 10.0.0.0/33.',
      ],
      [
        { loginNetworkMasks: '10.0.0.300/8' },
        'The parameter - "LoginNetworkMasks" holds an invalid mask: 10.0.0.300/8.',
      ],
      [
        { loginNetworkMasks: Array.from({ length: 41 }, (_, i) => `1.1.1.${i}`).join(';') },
        'The parameter - "LoginNetworkMasks" holds more than 40 masks.',
      ],
      [
        { loginNetworkMasks: '1'.repeat(513) },
        'The parameter - "LoginNetworkMasks" beyond the length limit: 512.',
      ],
      [
        { mfaOperationForLogin: 'always' },
        'The parameter - "MFAOperationForLogin" MUST be mandatory, independent or adaptive.',
      ],
      [
        { maxIdleDaysForAccessKeys: 100 },
        'The parameter - "MaxIdleDaysForAccessKeys" MUST be one of 90, 180, 365, 730.',
      ],
      [{ verificationTypes: ['fax'] }, 'The parameter - "VerificationTypes" MUST hold only sms and email.'],
    ];
    for (const [input, message] of bad)
      await expectApiError(domain.securityPreference.set(accountId, input), 'InvalidParameter', message);
    expect(await domain.securityPreference.get(accountId)).toEqual(cleared);
  });

  it('tags roles and policies, lists them with NextToken paging, and untags', async () => {
    const { domain, accountId } = w();
    await domain.roles.create(accountId, { roleName: 'r1', assumeRolePolicyDocument: TRUST(accountId) });
    await domain.roles.create(accountId, { roleName: 'r2', assumeRolePolicyDocument: TRUST(accountId) });
    await domain.policies.create(accountId, { policyName: 'p1', policyDocument: ALLOW_ALL });
    await domain.tags.tag(
      accountId,
      'role',
      ['r1', 'R2'],
      [
        { tagKey: 'env', tagValue: 'dev' },
        { tagKey: 'team', tagValue: 'a' },
      ],
    );
    await domain.tags.tag(accountId, 'role', ['r1'], [{ tagKey: 'env', tagValue: 'prod' }]);
    await domain.tags.tag(accountId, 'policy', ['p1'], [{ tagKey: 'k', tagValue: '' }]);
    const first = await domain.tags.list(accountId, { resourceType: 'role', pageSize: 3 });
    expect(first.items).toEqual([
      { resourceType: 'role', resourceName: 'r1', tagKey: 'env', tagValue: 'prod' },
      { resourceType: 'role', resourceName: 'r1', tagKey: 'team', tagValue: 'a' },
      { resourceType: 'role', resourceName: 'r2', tagKey: 'env', tagValue: 'dev' },
    ]);
    expect(first.nextToken).toBeTruthy();
    const second = await domain.tags.list(accountId, {
      resourceType: 'role',
      pageSize: 3,
      nextToken: first.nextToken,
    });
    expect(second).toEqual({
      items: [{ resourceType: 'role', resourceName: 'r2', tagKey: 'team', tagValue: 'a' }],
    });
    expect(
      (
        await domain.tags.list(accountId, {
          resourceType: 'role',
          resourceNames: ['r2'],
          tags: [{ tagKey: 'env' }],
        })
      ).items,
    ).toEqual([{ resourceType: 'role', resourceName: 'r2', tagKey: 'env', tagValue: 'dev' }]);
    expect((await domain.tags.list(accountId, { resourceType: 'policy' })).items).toEqual([
      { resourceType: 'policy', resourceName: 'p1', tagKey: 'k', tagValue: '' },
    ]);
    await domain.tags.untag(accountId, 'role', ['r1'], { tagKeys: ['env'] });
    expect((await domain.roles.get(accountId, 'r1')).tags).toEqual([{ tagKey: 'team', tagValue: 'a' }]);
    await domain.tags.untag(accountId, 'role', ['r2'], { all: true });
    expect((await domain.roles.get(accountId, 'r2')).tags).toEqual([]);
  });

  it('validates tags and the tag limit per resource', async () => {
    const { domain, accountId } = w();
    await domain.roles.create(accountId, { roleName: 'r', assumeRolePolicyDocument: TRUST(accountId) });
    const bad: [unknown[], string][] = [
      [[{ tagKey: '', tagValue: 'v' }], 'The parameter - "Tag.N.Key" MUST be 1 to 128 characters.'],
      [
        [{ tagKey: 'k'.repeat(129), tagValue: 'v' }],
        'The parameter - "Tag.N.Key" MUST be 1 to 128 characters.',
      ],
      [
        [{ tagKey: 'acs:x', tagValue: 'v' }],
        'The parameter - "Tag.N.Key" cannot start with "acs:" or "aliyun".',
      ],
      [
        [{ tagKey: 'aliyunX', tagValue: 'v' }],
        'The parameter - "Tag.N.Key" cannot start with "acs:" or "aliyun".',
      ],
      [
        [{ tagKey: 'k', tagValue: 'v'.repeat(257) }],
        'The parameter - "Tag.N.Value" MUST be at most 256 characters.',
      ],
      [
        [
          { tagKey: 'k', tagValue: 'a' },
          { tagKey: 'k', tagValue: 'b' },
        ],
        'The parameter - "Tag.N.Key" is duplicated: k.',
      ],
    ];
    for (const [tags, message] of bad) {
      await expectApiError(
        domain.tags.tag(accountId, 'role', ['r'], tags as never),
        'InvalidParameter',
        message,
      );
    }
    await expectApiError(
      domain.tags.tag(accountId, 'user' as 'role', ['r'], [{ tagKey: 'k', tagValue: 'v' }]),
      'InvalidParameter',
    );
    await expectApiError(
      domain.tags.tag(accountId, 'role', ['nope'], [{ tagKey: 'k', tagValue: 'v' }]),
      'EntityNotExist.Role',
    );
    await expectApiError(
      domain.tags.tag(accountId, 'policy', ['nope'], [{ tagKey: 'k', tagValue: 'v' }]),
      'EntityNotExist.Policy',
    );
    const twenty = Array.from({ length: 20 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }));
    await domain.tags.tag(accountId, 'role', ['r'], twenty);
    await domain.tags.tag(accountId, 'role', ['r'], [{ tagKey: 'k0', tagValue: 'overwritten' }]);
    await expectApiError(
      domain.tags.tag(accountId, 'role', ['r'], [{ tagKey: 'k20', tagValue: 'v' }]),
      'LimitExceeded.Tag',
      'The count of tags on the resource beyond the current limits: 20.',
    );
    const tags = (await domain.roles.get(accountId, 'r')).tags;
    expect(tags).toHaveLength(20);
    expect(tags.find((t) => t.tagKey === 'k0')?.tagValue).toBe('overwritten');
  });

  it('allows console logins only from LoginNetworkMasks', async () => {
    const { domain, accountId } = w();
    expect(await domain.securityPreference.allowsLoginFrom(accountId, '203.0.113.9')).toBe(true);
    await domain.securityPreference.set(accountId, {
      loginNetworkMasks: '10.0.0.0/8;192.168.1.7;2001:db8::/32',
    });
    const cases: [string, boolean][] = [
      ['10.1.2.3', true],
      ['11.0.0.1', false],
      ['192.168.1.7', true],
      ['192.168.1.8', false],
      ['2001:db8::1', true],
      ['2001:db9::1', false],
      ['not-an-ip', false],
    ];
    for (const [ip, allowed] of cases) {
      expect({ ip, allowed: await domain.securityPreference.allowsLoginFrom(accountId, ip) }).toEqual({
        ip,
        allowed,
      });
    }
  });
});
