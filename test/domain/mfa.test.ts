import { describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('virtual MFA devices', (w) => {
  /** Binds a device to a user with two consecutive codes of the current time. */
  async function bind(userName: string, d: { serialNumber: string; base32StringSeed: string }) {
    const { domain, accountId, clock } = w();
    const t = totpStep(clock.now);
    await domain.mfa.bind(
      accountId,
      userName,
      d.serialNumber,
      totpCode(d.base32StringSeed, t - 1),
      totpCode(d.base32StringSeed, t),
    );
  }

  async function boundDevice(name = 'dev', userName = 'u') {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName });
    const d = await domain.mfa.createVirtual(accountId, name);
    await bind(userName, d);
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

  describe("self-service: one device of the caller's own", () => {
    const self = { selfService: 'alice' };
    const OWNS = 'EntityAlreadyExists.User.MFADevice';
    const ownerOf = async (serialNumber: string) => {
      const { store, accountId } = w();
      const row = await store.db
        .selectFrom('mfa_devices')
        .select('owner_user_id')
        .where('account_id', '=', accountId)
        .where('serial_number', '=', serialNumber)
        .executeTakeFirstOrThrow();
      return row.owner_user_id;
    };

    it("records the device as the caller's and refuses another while it is unbound or bound to the caller", async () => {
      const { domain, accountId } = w();
      const alice = await domain.users.create(accountId, { userName: 'alice' });
      const d = await domain.mfa.createVirtual(accountId, 'alice-phone', self);
      expect(await ownerOf(d.serialNumber)).toBe(alice.userId);
      await expectApiError(
        domain.mfa.createVirtual(accountId, 'alice-phone-2', self),
        OWNS,
        `The user already has a virtual MFA device of its own, bind or delete it first: alice, ${d.serialNumber}.`,
      );
      // Bound to the caller: still its one device.
      await bind('alice', d);
      await expectApiError(domain.mfa.createVirtual(accountId, 'alice-phone-2', self), OWNS);
      // A device bound to the caller counts even when someone else created it.
      await domain.mfa.unbind(accountId, 'alice');
      await domain.mfa.deleteVirtual(accountId, d.serialNumber, self);
      const byRoot = await domain.mfa.createVirtual(accountId, 'from-admin');
      expect(await ownerOf(byRoot.serialNumber)).toBeNull();
      await bind('alice', byRoot);
      await expectApiError(domain.mfa.createVirtual(accountId, 'alice-phone-2', self), OWNS);
      await domain.mfa.unbind(accountId, 'alice');
      // Neither bound to the caller nor unbound-and-its-own: one more is allowed.
      await domain.mfa.createVirtual(accountId, 'alice-phone-2', self);
      expect((await domain.mfa.listVirtual(accountId)).map((x) => x.virtualMFADeviceName)).toEqual([
        'alice-phone-2',
        'from-admin',
      ]);
    });

    it("counts a device the caller created and someone else bound as no longer the caller's", async () => {
      const { domain, accountId } = w();
      await domain.users.create(accountId, { userName: 'alice' });
      await domain.users.create(accountId, { userName: 'bob' });
      const d = await domain.mfa.createVirtual(accountId, 'phone', self);
      await bind('bob', d);
      await domain.mfa.createVirtual(accountId, 'phone-2', self);
      await expectApiError(domain.mfa.createVirtual(accountId, 'phone-3', self), OWNS);
    });

    it("deletes only the caller's own devices under self-service; policy callers are not limited", async () => {
      const { domain, accountId } = w();
      await domain.users.create(accountId, { userName: 'alice' });
      await domain.users.create(accountId, { userName: 'bob' });
      const bobs = await domain.mfa.createVirtual(accountId, 'bob-phone', { selfService: 'bob' });
      const admins = await domain.mfa.createVirtual(accountId, 'admin-phone');
      for (const d of [bobs, admins]) {
        await expectApiError(
          domain.mfa.deleteVirtual(accountId, d.serialNumber, self),
          'NoPermission',
          'You are not authorized to do this action. You should be authorized by RAM.',
        );
      }
      const own = await domain.mfa.createVirtual(accountId, 'alice-phone', self);
      await bind('alice', own);
      await expectApiError(
        domain.mfa.deleteVirtual(accountId, own.serialNumber, self),
        'DeleteConflict.VirtualMFADevice.User',
      );
      await domain.mfa.unbind(accountId, 'alice');
      await domain.mfa.deleteVirtual(accountId, own.serialNumber, self);
      // Without self-service (the root, or a policy): any number of devices, any unbound one deleted.
      for (const n of ['x1', 'x2', 'x3']) await domain.mfa.createVirtual(accountId, n);
      await domain.mfa.deleteVirtual(accountId, bobs.serialNumber);
      await domain.mfa.deleteVirtual(accountId, admins.serialNumber);
      expect((await domain.mfa.listVirtual(accountId)).map((x) => x.virtualMFADeviceName)).toEqual([
        'x1',
        'x2',
        'x3',
      ]);
    });

    it('gives parallel self-service creates one device', async () => {
      const { domain, accountId } = w();
      await domain.users.create(accountId, { userName: 'alice' });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => domain.mfa.createVirtual(accountId, `p${i}`, self)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe(OWNS);
      }
      expect(await domain.mfa.listVirtual(accountId)).toHaveLength(1);
    });

    it('an unknown caller gets EntityNotExist.User; deleting the user leaves its unbound device to the account', async () => {
      const { domain, accountId } = w();
      await expectApiError(domain.mfa.createVirtual(accountId, 'p', self), 'EntityNotExist.User');
      await domain.users.create(accountId, { userName: 'alice' });
      const d = await domain.mfa.createVirtual(accountId, 'p', self);
      await domain.users.delete(accountId, 'alice');
      expect(await ownerOf(d.serialNumber)).toBeNull();
      // A new alice is another user: the old device is not hers.
      await domain.users.create(accountId, { userName: 'alice' });
      await expectApiError(domain.mfa.deleteVirtual(accountId, d.serialNumber, self), 'NoPermission');
      await domain.mfa.createVirtual(accountId, 'p2', self);
    });
  });
});
