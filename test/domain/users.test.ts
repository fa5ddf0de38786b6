import { describe, expect, it } from 'vitest';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('users', (w) => {
  it('creates, reads, renames and deletes a user', async () => {
    const { domain, accountId } = w();
    const u = await domain.users.create(accountId, {
      userName: 'Alice',
      displayName: 'Alice A',
      email: 'alice@example.com',
      mobilePhone: '86-18600008888',
      comments: 'first',
    });
    expect(u.userId).toMatch(/^[1-9]\d{15}$/);
    expect(u).toMatchObject({
      userName: 'Alice',
      displayName: 'Alice A',
      email: 'alice@example.com',
      mobilePhone: '86-18600008888',
      comments: 'first',
      createDate: '2026-01-15T10:00:00Z',
      updateDate: '2026-01-15T10:00:00Z',
      userPrincipalName: `Alice@${accountId}.onaliyun.com`,
    });
    expect(await domain.users.get(accountId, 'alice')).toEqual(u);

    w().clock.advance(5000);
    const renamed = await domain.users.update(accountId, 'alice', { newUserName: 'alice2', newComments: '' });
    expect(renamed.userId).toBe(u.userId);
    expect(renamed.userName).toBe('alice2');
    expect(renamed.comments).toBeUndefined();
    expect(renamed.displayName).toBe('Alice A');
    expect(renamed.updateDate).toBe('2026-01-15T10:00:05Z');
    await expectApiError(
      domain.users.get(accountId, 'Alice'),
      'EntityNotExist.User',
      'The user does not exist: Alice.',
    );
    expect((await domain.users.findById(accountId, u.userId))?.userName).toBe('alice2');
    expect(
      (await domain.users.findByPrincipalName(accountId, `alice2@${accountId}.onaliyun.com`))?.userId,
    ).toBe(u.userId);
    expect(await domain.users.findByPrincipalName(accountId, 'alice2@other.onaliyun.com')).toBeUndefined();

    await domain.users.delete(accountId, 'ALICE2');
    await expectApiError(domain.users.get(accountId, 'alice2'), 'EntityNotExist.User');
  });

  it('keeps names unique ignoring case, and stores them as written', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'Bob' });
    await expectApiError(
      domain.users.create(accountId, { userName: 'bob' }),
      'EntityAlreadyExists.User',
      'The user already exists: bob.',
    );
    await domain.users.create(accountId, { userName: 'carol' });
    await expectApiError(
      domain.users.update(accountId, 'carol', { newUserName: 'BOB' }),
      'EntityAlreadyExists.User',
    );
    // A rename that only changes case is allowed.
    expect((await domain.users.update(accountId, 'bob', { newUserName: 'BOB' })).userName).toBe('BOB');
  });

  it('ignores A-Z case only: a name that only case-maps onto a user (the Kelvin sign for k) finds none', async () => {
    const { domain, services, accountId } = w();
    await domain.users.create(accountId, { userName: 'Kate' });
    expect((await domain.users.get(accountId, 'kATE')).userName).toBe('Kate');
    expect(await services.names.storedName(accountId, 'user', 'KATE')).toBe('Kate');
    for (const name of ['\u212Aate', '\u212AATE']) {
      await expectApiError(
        domain.users.get(accountId, name),
        'EntityNotExist.User',
        `The user does not exist: ${name}.`,
      );
      expect(await services.names.storedName(accountId, 'user', name)).toBeUndefined();
    }
  });

  it('isolates accounts', async () => {
    const { domain, accountId } = w();
    const other = await domain.accounts.create({ rootPassword: 'another-pass-1' });
    await domain.users.create(accountId, { userName: 'same' });
    await domain.users.create(other.accountId, { userName: 'same' });
    await domain.users.delete(other.accountId, 'same');
    expect((await domain.users.get(accountId, 'same')).userName).toBe('same');
  });

  const invalidInputs: [string, Record<string, string>, string, string][] = [
    [
      'empty name',
      { userName: '' },
      'InvalidParameter.UserName.Length',
      'The parameter - "UserName" beyond the length limit.',
    ],
    [
      'long name',
      { userName: 'a'.repeat(65) },
      'InvalidParameter.UserName.Length',
      'The parameter - "UserName" beyond the length limit.',
    ],
    [
      'bad chars',
      { userName: 'a b' },
      'InvalidParameter.UserName.InvalidChars',
      'The parameter - "UserName" contains invalid chars.',
    ],
    [
      'slash',
      { userName: 'a/b' },
      'InvalidParameter.UserName.InvalidChars',
      'The parameter - "UserName" contains invalid chars.',
    ],
    [
      'long display name',
      { userName: 'x', displayName: 'd'.repeat(129) },
      'InvalidParameter.DisplayName.Length',
      'The parameter - "DisplayName" beyond the length limit.',
    ],
    [
      'bad email',
      { userName: 'x', email: 'not-an-email' },
      'InvalidParameter.Email.Format',
      'The parameter - "Email" is not well formatted.',
    ],
    [
      'bad phone',
      { userName: 'x', mobilePhone: '12345' },
      'InvalidParameter.MobilePhone.Format',
      'The parameter - "MobilePhone" is not well formatted.',
    ],
    [
      'long comments',
      { userName: 'x', comments: 'c'.repeat(129) },
      'InvalidParameter.Comments.Length',
      'The parameter - "Comments" beyond the length limit.',
    ],
  ];
  it.each(invalidInputs)('refuses %s and writes nothing', async (_t, input, code, message) => {
    const { domain, accountId } = w();
    await expectApiError(domain.users.create(accountId, input as { userName: string }), code, message);
    expect((await domain.users.list(accountId)).items).toEqual([]);
  });

  it('checks the new values of UpdateUser with the New* codes', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await expectApiError(
      domain.users.update(accountId, 'u', { newUserName: 'x y' }),
      'InvalidParameter.NewUserName.InvalidChars',
    );
    await expectApiError(
      domain.users.update(accountId, 'u', { newEmail: 'x' }),
      'InvalidParameter.NewEmail.Format',
    );
    await expectApiError(
      domain.users.update(accountId, 'nobody', { newComments: 'c' }),
      'EntityNotExist.User',
      'The user does not exist: nobody.',
    );
  });

  it('pages through users in name order with an opaque marker', async () => {
    const { domain, accountId } = w();
    const names = ['d', 'B', 'a', 'C', 'e'];
    for (const n of names) await domain.users.create(accountId, { userName: n });
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await domain.users.list(accountId, { marker, maxItems: 2 });
      seen.push(...page.items.map((u) => u.userName));
      marker = page.isTruncated ? page.marker : undefined;
      if (page.isTruncated) expect(page.marker).toBeTruthy();
      pages++;
    } while (marker);
    expect(seen).toEqual(['a', 'B', 'C', 'd', 'e']);
    expect(pages).toBe(3);
    const all = await domain.users.list(accountId);
    expect(all.isTruncated).toBe(false);
    expect(all.marker).toBeUndefined();
    await expectApiError(domain.users.list(accountId, { maxItems: 0 }), 'InvalidParameter');
    await expectApiError(domain.users.list(accountId, { maxItems: 1001 }), 'InvalidParameter');
    await expectApiError(domain.users.list(accountId, { marker: 'garbage!' }), 'InvalidParameter');
  });

  describe('DeleteUser conflicts', () => {
    const cases: [string, string][] = [
      ['AccessKey', 'DeleteConflict.User.AccessKey'],
      ['LoginProfile', 'DeleteConflict.User.LoginProfile'],
      ['MFADevice', 'DeleteConflict.User.MFADevice'],
      ['Group', 'DeleteConflict.User.Group'],
      ['Policy', 'DeleteConflict.User.Policy'],
    ];
    it.each(cases)('refuses a user with a %s', async (what, code) => {
      const { domain, accountId, clock } = w();
      await domain.users.create(accountId, { userName: 'victim' });
      let undo: () => Promise<unknown>;
      switch (what) {
        case 'AccessKey': {
          const k = await domain.accessKeys.create(accountId, 'victim');
          undo = () => domain.accessKeys.delete(accountId, 'victim', k.accessKeyId);
          break;
        }
        case 'LoginProfile':
          await domain.loginProfiles.create(accountId, 'victim', { password: 'Passw0rd-long' });
          undo = () => domain.loginProfiles.delete(accountId, 'victim');
          break;
        case 'MFADevice': {
          const { totpCode, totpStep } = await import('../../src/crypto/totp.js');
          const d = await domain.mfa.createVirtual(accountId, 'dev');
          const t = totpStep(clock.now);
          await domain.mfa.bind(
            accountId,
            'victim',
            d.serialNumber,
            totpCode(d.base32StringSeed, t - 1),
            totpCode(d.base32StringSeed, t),
          );
          undo = () => domain.mfa.unbind(accountId, 'victim');
          break;
        }
        case 'Group':
          await domain.groups.create(accountId, { groupName: 'g' });
          await domain.groups.addUser(accountId, 'g', 'victim');
          undo = () => domain.groups.removeUser(accountId, 'g', 'victim');
          break;
        default:
          await domain.attachments.attach(
            accountId,
            { kind: 'user', userName: 'victim' },
            'System',
            'AdministratorAccess',
          );
          undo = () =>
            domain.attachments.detach(
              accountId,
              { kind: 'user', userName: 'victim' },
              'System',
              'AdministratorAccess',
            );
      }
      await expectApiError(domain.users.delete(accountId, 'victim'), code, new RegExp(`victim\\.$`));
      expect((await domain.users.get(accountId, 'victim')).userName).toBe('victim');
      await undo();
      await domain.users.delete(accountId, 'victim');
    });
  });

  it('enforces the per-account user quota (overridable per account)', async () => {
    const { domain, accountId } = w();
    await domain.accounts.setQuotas(accountId, { usersPerAccount: 2 });
    await domain.users.create(accountId, { userName: 'u1' });
    await domain.users.create(accountId, { userName: 'u2' });
    await expectApiError(
      domain.users.create(accountId, { userName: 'u3' }),
      'LimitExceeded.User',
      'The count of users beyond the current limits: 2.',
    );
    await domain.accounts.setQuotas(accountId, { usersPerAccount: undefined });
    expect((await domain.accounts.getQuotas(accountId)).usersPerAccount).toBe(5000);
    await domain.users.create(accountId, { userName: 'u3' });
  });

  it('records the last login date', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    expect((await domain.users.get(accountId, 'u')).lastLoginDate).toBeUndefined();
    await domain.users.recordLogin(accountId, 'u', new Date('2026-02-01T00:00:00.500Z'));
    expect((await domain.users.get(accountId, 'u')).lastLoginDate).toBe('2026-02-01T00:00:00Z');
  });
});
