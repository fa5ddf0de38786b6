import { expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('virtual MFA devices', (w) => {
  async function boundDevice(name = 'dev', userName = 'u') {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName });
    const d = await domain.mfa.createVirtual(accountId, name);
    const t = totpStep(clock.now);
    await domain.mfa.bind(
      accountId,
      userName,
      d.serialNumber,
      totpCode(d.base32StringSeed, t - 1),
      totpCode(d.base32StringSeed, t),
    );
    return d;
  }

  it('creates a device with serial number, seed and otpauth URL; the seed is sealed at rest', async () => {
    const { domain, accountId, store } = w();
    const d = await domain.mfa.createVirtual(accountId, 'Phone-1');
    expect(d.serialNumber).toBe(`acs:ram::${accountId}:mfa/Phone-1`);
    expect(d.base32StringSeed).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(d.qrCodePng, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(d.otpauthUrl).toMatch(
      new RegExp(
        `^otpauth://totp/Rampart:Phone-1%40${accountId}\\.onaliyun\\.com\\?secret=${d.base32StringSeed}&`,
      ),
    );
    const row = await store.db
      .selectFrom('mfa_devices')
      .select('seed_sealed')
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(row.seed_sealed).not.toContain(d.base32StringSeed);
    await expectApiError(
      domain.mfa.createVirtual(accountId, 'phone-1'),
      'EntityAlreadyExists.VirtualMFADevice',
      'The virtual MFA device already exists: phone-1.',
    );
    await expectApiError(
      domain.mfa.createVirtual(accountId, 'bad_name'),
      'InvalidParameter.VirtualMFADeviceName.InvalidChars',
    );
    await expectApiError(
      domain.mfa.createVirtual(accountId, 'x'.repeat(65)),
      'InvalidParameter.VirtualMFADeviceName.Length',
    );
    expect(await domain.mfa.listVirtual(accountId)).toEqual([
      {
        serialNumber: d.serialNumber,
        virtualMFADeviceName: 'Phone-1',
        createDate: '2026-01-15T10:00:00Z',
        activateDate: undefined,
      },
    ]);
  });

  it('binds with two consecutive codes and lists the bound user', async () => {
    const { domain, accountId } = w();
    const d = await boundDevice();
    const user = await domain.users.get(accountId, 'u');
    expect(await domain.mfa.getUserMFAInfo(accountId, 'u')).toEqual({
      serialNumber: d.serialNumber,
      type: 'VMFA',
      activateDate: '2026-01-15T10:00:00Z',
    });
    expect(await domain.mfa.listVirtual(accountId)).toEqual([
      {
        serialNumber: d.serialNumber,
        virtualMFADeviceName: 'dev',
        createDate: '2026-01-15T10:00:00Z',
        activateDate: '2026-01-15T10:00:00Z',
        user: { userId: user.userId, userName: 'u', displayName: undefined },
      },
    ]);
  });

  const badCodes: [string, (seed: string, t: number) => [string, string], string, string][] = [
    [
      'not six digits',
      () => ['12345', '123456'],
      'InvalidParameter.AuthenticationCode.Format',
      'The parameter - "AuthenticationCode" MUST be 6 numbers.',
    ],
    [
      'letters',
      () => ['12345a', '123456'],
      'InvalidParameter.AuthenticationCode.Format',
      'The parameter - "AuthenticationCode" MUST be 6 numbers.',
    ],
    [
      'same code twice',
      (s, t) => [totpCode(s, t), totpCode(s, t)],
      'CheckAuthenticationCodeFail',
      'The authentication codes do not match the MFA device.',
    ],
    [
      'reversed order',
      (s, t) => [totpCode(s, t), totpCode(s, t - 1)],
      'CheckAuthenticationCodeFail',
      'The authentication codes do not match the MFA device.',
    ],
    [
      'too old',
      (s, t) => [totpCode(s, t - 5), totpCode(s, t - 4)],
      'CheckAuthenticationCodeFail',
      'The authentication codes do not match the MFA device.',
    ],
  ];
  it.each(badCodes)('refuses to bind with %s', async (_t, codes, code, message) => {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName: 'u' });
    const d = await domain.mfa.createVirtual(accountId, 'dev');
    const [c1, c2] = codes(d.base32StringSeed, totpStep(clock.now));
    await expectApiError(domain.mfa.bind(accountId, 'u', d.serialNumber, c1, c2), code, message);
    await expectApiError(
      domain.mfa.getUserMFAInfo(accountId, 'u'),
      'EntityNotExist.User.MFADevice',
      'The user has no MFA device bound: u.',
    );
  });

  it('refuses a second device for a user and a device already bound', async () => {
    const { domain, accountId, clock } = w();
    const d = await boundDevice('one', 'u');
    await domain.users.create(accountId, { userName: 'v' });
    const t = totpStep(clock.now);
    await expectApiError(
      domain.mfa.bind(
        accountId,
        'v',
        d.serialNumber,
        totpCode(d.base32StringSeed, t - 1),
        totpCode(d.base32StringSeed, t),
      ),
      'EntityAlreadyExists.VirtualMFADevice.User',
    );
    const d2 = await domain.mfa.createVirtual(accountId, 'two');
    await expectApiError(
      domain.mfa.bind(
        accountId,
        'u',
        d2.serialNumber,
        totpCode(d2.base32StringSeed, t - 1),
        totpCode(d2.base32StringSeed, t),
      ),
      'EntityAlreadyExists.User.MFADevice',
    );
    await expectApiError(
      domain.mfa.bind(accountId, 'u', `acs:ram::${accountId}:mfa/none`, '123456', '654321'),
      'EntityNotExist.VirtualMFADevice',
    );
    await expectApiError(
      domain.mfa.bind(accountId, 'u', 'acs:ram::1:mfa/one', '123456', '654321'),
      'EntityNotExist.VirtualMFADevice',
    );
  });

  it('unbinds, then deletes; a bound device cannot be deleted', async () => {
    const { domain, accountId } = w();
    const d = await boundDevice();
    await expectApiError(
      domain.mfa.deleteVirtual(accountId, d.serialNumber),
      'DeleteConflict.VirtualMFADevice.User',
      `The virtual MFA device is bound to a user, unbind it first: ${d.serialNumber}.`,
    );
    expect(await domain.mfa.unbind(accountId, 'u')).toEqual({ serialNumber: d.serialNumber });
    await expectApiError(domain.mfa.unbind(accountId, 'u'), 'EntityNotExist.User.MFADevice');
    await domain.mfa.deleteVirtual(accountId, d.serialNumber);
    expect(await domain.mfa.listVirtual(accountId)).toEqual([]);
    await expectApiError(
      domain.mfa.deleteVirtual(accountId, d.serialNumber),
      'EntityNotExist.VirtualMFADevice',
    );
  });

  it('verifies login codes once per step', async () => {
    const { domain, accountId, clock } = w();
    const d = await boundDevice();
    clock.advance(60_000);
    const code = totpCode(d.base32StringSeed, totpStep(clock.now));
    expect(await domain.mfa.verifyUserCode(accountId, 'u', '000000x')).toBe(false);
    expect(await domain.mfa.verifyUserCode(accountId, 'u', code)).toBe(true);
    expect(await domain.mfa.verifyUserCode(accountId, 'u', code)).toBe(false);
    // The bind codes cannot be replayed either.
    clock.advance(-60_000);
    expect(
      await domain.mfa.verifyUserCode(accountId, 'u', totpCode(d.base32StringSeed, totpStep(clock.now))),
    ).toBe(false);
    expect(await domain.mfa.verifyUserCode(accountId, 'nobody', code)).toBe(false);
  });

  it('enforces the account quota of devices', async () => {
    const { domain, accountId } = w();
    await domain.accounts.setQuotas(accountId, { virtualMFADevicesPerAccount: 1 });
    await domain.mfa.createVirtual(accountId, 'a');
    await expectApiError(
      domain.mfa.createVirtual(accountId, 'b'),
      'LimitExceeded.VirtualMFADevice',
      'The count of virtual MFA devices beyond the current limits: 1.',
    );
  });
});
