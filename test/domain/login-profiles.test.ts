import { expect, it } from 'vitest';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('login profiles and password policy', (w) => {
  it('creates, reads, updates and deletes a login profile', async () => {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName: 'u' });
    const p = await domain.loginProfiles.create(accountId, 'u', {
      password: 'Start-123',
      passwordResetRequired: true,
      mfaBindRequired: false,
    });
    expect(p).toEqual({
      userName: 'u',
      passwordResetRequired: true,
      mfaBindRequired: false,
      status: 'Active',
      createDate: '2026-01-15T10:00:00Z',
      updateDate: '2026-01-15T10:00:00Z',
    });
    expect(await domain.loginProfiles.get(accountId, 'U')).toEqual(p);
    await expectApiError(
      domain.loginProfiles.create(accountId, 'u', { password: 'Another-123' }),
      'EntityAlreadyExists.User.LoginProfile',
      'The login profile of the user already exists: u.',
    );
    clock.advance(1000);
    const up = await domain.loginProfiles.update(accountId, 'u', {
      mfaBindRequired: true,
      status: 'Inactive',
    });
    expect(up).toMatchObject({
      passwordResetRequired: true,
      mfaBindRequired: true,
      status: 'Inactive',
      updateDate: '2026-01-15T10:00:01Z',
    });
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'Start-123')).toEqual({
      ok: false,
      reason: 'Inactive',
    });
    await domain.loginProfiles.update(accountId, 'u', { status: 'Active', password: 'Changed-456' });
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'Start-123')).toEqual({
      ok: false,
      reason: 'WrongPassword',
    });
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'Changed-456')).toEqual({
      ok: true,
      passwordResetRequired: true,
      mfaBindRequired: true,
      passwordExpired: false,
      userId: expect.stringMatching(/^\d{16}$/),
      userName: 'u',
      passwordStamp: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await domain.loginProfiles.delete(accountId, 'u');
    await expectApiError(
      domain.loginProfiles.get(accountId, 'u'),
      'EntityNotExist.User.LoginProfile',
      'The login profile of the user does not exist: u.',
    );
    await expectApiError(domain.loginProfiles.delete(accountId, 'u'), 'EntityNotExist.User.LoginProfile');
    await expectApiError(domain.loginProfiles.get(accountId, 'ghost'), 'EntityNotExist.User');
    expect(await domain.loginProfiles.verifyPassword(accountId, 'ghost', 'x')).toEqual({
      ok: false,
      reason: 'NoLoginProfile',
    });
  });

  const policyCases: [string, Record<string, unknown>, string, boolean, string?][] = [
    ['default minimum length 8: 7 chars', {}, 'abcdefg', false, 'at least 8 characters'],
    ['default minimum length 8: 8 chars', {}, 'abcdefgh', true],
    ['length 12', { minimumPasswordLength: 12 }, 'abcdefghijk', false, 'at least 12 characters'],
    ['lowercase required', { requireLowercaseCharacters: true }, 'ABCDEFGH1', false, 'a lowercase letter'],
    ['uppercase required', { requireUppercaseCharacters: true }, 'abcdefgh1', false, 'an uppercase letter'],
    ['uppercase present', { requireUppercaseCharacters: true }, 'abcdefgH1', true],
    ['numbers required', { requireNumbers: true }, 'abcdefghi', false, 'a digit'],
    ['symbols required', { requireSymbols: true }, 'abcdefgh1', false, 'a symbol'],
    ['symbols present', { requireSymbols: true }, 'abcdefgh!', true],
    ['symbols: every ASCII punctuation counts', { requireSymbols: true }, 'abcdefgh`', true],
    [
      'symbols: a letter of another script is none',
      { requireSymbols: true },
      'abcdefgh1é',
      false,
      'a symbol',
    ],
    ['symbols: a space is none', { requireSymbols: true }, 'abcd efgh1', false, 'a symbol'],
    [
      'distinct characters',
      { minimumPasswordDifferentCharacter: 5 },
      'aaaabbbbcccc',
      false,
      'at least 5 different characters',
    ],
    ['no user name', { passwordNotContainUserName: true }, 'xxAliceXX99', false, 'not the user name'],
  ];
  it.each(policyCases)('password policy: %s', async (_t, policy, password, ok, unmet) => {
    const { domain, accountId } = w();
    await domain.passwordPolicy.set(accountId, policy);
    await domain.users.create(accountId, { userName: 'alice' });
    const p = domain.loginProfiles.create(accountId, 'alice', { password });
    if (ok) await p;
    else {
      await expectApiError(
        p,
        'InvalidParameter.Password.TooWeak',
        `The parameter - "Password" is not compliant with the password policy. It needs: ${unmet}.`,
      );
      await expectApiError(domain.loginProfiles.get(accountId, 'alice'), 'EntityNotExist.User.LoginProfile');
    }
  });

  it('reads defaults and validates the ranges of SetPasswordPolicy', async () => {
    const { domain, accountId } = w();
    expect(await domain.passwordPolicy.get(accountId)).toEqual({
      minimumPasswordLength: 8,
      requireLowercaseCharacters: false,
      requireUppercaseCharacters: false,
      requireNumbers: false,
      requireSymbols: false,
      hardExpiry: false,
      maxLoginAttemps: 0,
      passwordReusePrevention: 0,
      maxPasswordAge: 0,
      minimumPasswordDifferentCharacter: 0,
      passwordNotContainUserName: false,
    });
    const bad: [Record<string, number>, string, string][] = [
      [
        { minimumPasswordLength: 7 },
        'InvalidParameter.MinimumPasswordLength.Range',
        'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
      ],
      [
        { minimumPasswordLength: 33 },
        'InvalidParameter.MinimumPasswordLength.Range',
        'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
      ],
      [
        { maxLoginAttemps: 33 },
        'InvalidParameter',
        'The parameter - "MaxLoginAttemps" MUST be in the range of 0 and 32.',
      ],
      [
        { passwordReusePrevention: 25 },
        'InvalidParameter',
        'The parameter - "PasswordReusePrevention" MUST be in the range of 0 and 24.',
      ],
      [
        { maxPasswordAge: 1096 },
        'InvalidParameter',
        'The parameter - "MaxPasswordAge" MUST be in the range of 0 and 1095.',
      ],
      [
        { minimumPasswordDifferentCharacter: 9 },
        'InvalidParameter',
        'The parameter - "MinimumPasswordDifferentCharacter" MUST be in the range of 0 and 8.',
      ],
    ];
    for (const [input, code, message] of bad)
      await expectApiError(domain.passwordPolicy.set(accountId, input), code, message);
    expect((await domain.passwordPolicy.get(accountId)).minimumPasswordLength).toBe(8);
    const set = await domain.passwordPolicy.set(accountId, {
      minimumPasswordLength: 10,
      maxLoginAttemps: 5,
      hardExpiry: true,
    });
    expect(set).toMatchObject({
      minimumPasswordLength: 10,
      maxLoginAttemps: 5,
      hardExpiry: true,
      requireNumbers: false,
    });
    expect(await domain.passwordPolicy.get(accountId)).toEqual(set);
    // Partial updates keep the rest.
    expect(await domain.passwordPolicy.set(accountId, { requireNumbers: true })).toMatchObject({
      minimumPasswordLength: 10,
      requireNumbers: true,
    });
  });

  it('changes the password of the caller with old-password, strength and reuse checks', async () => {
    const { domain, accountId } = w();
    await domain.passwordPolicy.set(accountId, { passwordReusePrevention: 2, requireNumbers: true });
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', {
      password: 'first-pass1',
      passwordResetRequired: true,
    });
    await expectApiError(
      domain.loginProfiles.changePassword(accountId, 'u', 'wrong-pass1', 'second-pass2'),
      'InvalidParameter.OldPassword.Incorrect',
      'The parameter - "OldPassword" is incorrect.',
    );
    await expectApiError(
      domain.loginProfiles.changePassword(accountId, 'u', 'first-pass1', 'no-digits-here'),
      'InvalidParameter.NewPassword.TooWeak',
      'The parameter - "NewPassword" is not compliant with the password policy. It needs: a digit.',
    );
    await expectApiError(
      domain.loginProfiles.changePassword(accountId, 'u', 'first-pass1', 'first-pass1'),
      'InvalidParameter.NewPassword.ReusePrevention',
      'The parameter - "NewPassword" must not be one of the last 2 passwords.',
    );
    await domain.loginProfiles.changePassword(accountId, 'u', 'first-pass1', 'second-pass2');
    expect((await domain.loginProfiles.get(accountId, 'u')).passwordResetRequired).toBe(false);
    await expectApiError(
      domain.loginProfiles.changePassword(accountId, 'u', 'second-pass2', 'first-pass1'),
      'InvalidParameter.NewPassword.ReusePrevention',
    );
    await domain.loginProfiles.changePassword(accountId, 'u', 'second-pass2', 'third-pass3');
    // first-pass1 is now three passwords back: allowed again.
    await domain.loginProfiles.changePassword(accountId, 'u', 'third-pass3', 'first-pass1');
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'first-pass1')).ok).toBe(true);
  });

  it('locks the login for an hour after MaxLoginAttemps consecutive failures', async () => {
    const { domain, accountId, clock } = w();
    await domain.passwordPolicy.set(accountId, { maxLoginAttemps: 3 });
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', { password: 'right-pass' });
    for (let i = 0; i < 3; i++) {
      expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong')).toEqual({
        ok: false,
        reason: 'WrongPassword',
      });
    }
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'right-pass')).toEqual({
      ok: false,
      reason: 'Locked',
    });
    clock.advance(61 * 60_000);
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'right-pass')).ok).toBe(true);
    // A success resets the count.
    await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong');
    await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong');
    await domain.loginProfiles.verifyPassword(accountId, 'u', 'right-pass');
    await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong');
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'right-pass')).ok).toBe(true);
  });

  const LOCKED = 'Throttling.User';
  const LOCKED_MESSAGE =
    'Request was denied due to user flow control: too many wrong passwords, the login profile is locked for an hour: u.';

  it('counts wrong OldPasswords of ChangePassword like logons: MaxLoginAttemps lock it for an hour', async () => {
    const { domain, accountId, clock } = w();
    await domain.passwordPolicy.set(accountId, { maxLoginAttemps: 3 });
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', { password: 'right-pass1' });
    const change = (oldPassword: string) =>
      domain.loginProfiles.changePassword(accountId, 'u', oldPassword, 'next-pass2');
    for (let i = 0; i < 3; i++)
      await expectApiError(change('wrong-pass'), 'InvalidParameter.OldPassword.Incorrect');
    // Locked: even the right old password is refused, and so is the logon (one rule, one count).
    await expectApiError(change('right-pass1'), LOCKED, LOCKED_MESSAGE);
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'right-pass1')).toEqual({
      ok: false,
      reason: 'Locked',
    });
    clock.advance(59 * 60_000);
    await expectApiError(change('right-pass1'), LOCKED, LOCKED_MESSAGE);
    clock.advance(2 * 60_000);
    await change('right-pass1');
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'next-pass2')).ok).toBe(true);
  });

  it('shares one failure count between logons and ChangePassword; a success resets it', async () => {
    const { domain, accountId } = w();
    await domain.passwordPolicy.set(accountId, { maxLoginAttemps: 3 });
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', { password: 'right-pass1' });
    const change = (oldPassword: string, newPassword = 'next-pass2') =>
      domain.loginProfiles.changePassword(accountId, 'u', oldPassword, newPassword);
    // Two failures, then a right old password (with a too weak new one): the count starts again.
    await expectApiError(change('wrong-pass'), 'InvalidParameter.OldPassword.Incorrect');
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong-pass')).ok).toBe(false);
    await expectApiError(change('right-pass1', 'short'), 'InvalidParameter.NewPassword.TooWeak');
    await expectApiError(change('wrong-pass'), 'InvalidParameter.OldPassword.Incorrect');
    await expectApiError(change('wrong-pass'), 'InvalidParameter.OldPassword.Incorrect');
    await change('right-pass1');
    // A logon failure and two ChangePassword failures make three: locked.
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong-pass')).ok).toBe(false);
    await expectApiError(change('wrong-pass', 'third-pass3'), 'InvalidParameter.OldPassword.Incorrect');
    await expectApiError(change('wrong-pass', 'third-pass3'), 'InvalidParameter.OldPassword.Incorrect');
    await expectApiError(change('next-pass2', 'third-pass3'), LOCKED);
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'next-pass2')).toEqual({
      ok: false,
      reason: 'Locked',
    });
  });

  it('ChangePassword without MaxLoginAttemps (0) never locks', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', { password: 'right-pass1' });
    for (let i = 0; i < 40; i++) {
      await expectApiError(
        domain.loginProfiles.changePassword(accountId, 'u', 'wrong-pass', 'next-pass2'),
        'InvalidParameter.OldPassword.Incorrect',
      );
    }
    await domain.loginProfiles.changePassword(accountId, 'u', 'right-pass1', 'next-pass2');
  });

  it.each([
    ['ChangePassword', 'changePassword'],
    ['logon', 'verifyPassword'],
  ] as const)(
    '48 parallel wrong %s guesses: exactly MaxLoginAttemps are checked, then locked',
    async (_t, path) => {
      const { domain, accountId, clock } = w();
      await domain.passwordPolicy.set(accountId, { maxLoginAttemps: 5 });
      await domain.users.create(accountId, { userName: 'u' });
      await domain.loginProfiles.create(accountId, 'u', { password: 'right-pass1' });
      const guess = async (password: string): Promise<string> => {
        if (path === 'verifyPassword') {
          const r = await domain.loginProfiles.verifyPassword(accountId, 'u', password);
          return r.ok ? 'ok' : r.reason;
        }
        return domain.loginProfiles.changePassword(accountId, 'u', password, 'next-pass2').then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
      };
      const wrong = path === 'verifyPassword' ? 'WrongPassword' : 'InvalidParameter.OldPassword.Incorrect';
      const locked = path === 'verifyPassword' ? 'Locked' : LOCKED;
      const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => guess(`wrong-pass-${i}`)));
      const tally = (a: readonly string[]) =>
        a.reduce<Record<string, number>>((t, x) => ({ ...t, [x]: (t[x] ?? 0) + 1 }), {});
      expect(tally(answers)).toEqual({ [wrong]: 5, [locked]: 43 });
      expect(await guess('right-pass1')).toBe(locked);
      clock.advance(60 * 60_000 + 1000);
      expect(await guess('right-pass1')).toBe('ok');
    },
  );

  it('expires passwords older than MaxPasswordAge: a reset at login, or a refusal with HardExpiry', async () => {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.loginProfiles.create(accountId, 'u', { password: 'aged-pass1' });
    await domain.passwordPolicy.set(accountId, { maxPasswordAge: 30 });
    clock.advance(29 * 86_400_000);
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'aged-pass1')).toEqual({
      ok: true,
      passwordResetRequired: false,
      mfaBindRequired: false,
      passwordExpired: false,
      userId: expect.stringMatching(/^\d{16}$/),
      userName: 'u',
      passwordStamp: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    clock.advance(2 * 86_400_000);
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'aged-pass1')).toEqual({
      ok: true,
      passwordResetRequired: true,
      mfaBindRequired: false,
      passwordExpired: true,
      userId: expect.stringMatching(/^\d{16}$/),
      userName: 'u',
      passwordStamp: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await domain.passwordPolicy.set(accountId, { hardExpiry: true });
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'aged-pass1')).toEqual({
      ok: false,
      reason: 'Expired',
    });
    expect(await domain.loginProfiles.verifyPassword(accountId, 'u', 'wrong')).toEqual({
      ok: false,
      reason: 'WrongPassword',
    });
    await domain.loginProfiles.update(accountId, 'u', { password: 'fresh-pass2' });
    expect((await domain.loginProfiles.verifyPassword(accountId, 'u', 'fresh-pass2')).ok).toBe(true);
  });
});
