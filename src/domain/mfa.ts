import { mfaDeviceNameOf, mfaSerialNumber } from '../arn.js';
import { findTotpStep, generateTotpSecret, otpauthUrl, totpCode, totpStep } from '../crypto/totp.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { Tx } from '../store/index.js';
import type { MfaDomain } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountDomain,
  addToCount,
  deleteCounted,
  bumpPermissions,
  checkChars,
  checkLength,
  lockAccount,
  nameKey,
  nowIso,
  optionalText,
  requireRoom,
  uniquely,
  randomAlnum,
} from './common.js';
import { err } from './messages.js';
import { lockUser, requireUser } from './rows.js';
import { qrCodePng } from './qr-code.js';

const NAME = /^[A-Za-z0-9.-]+$/;
const CODE = /^\d{6}$/;

/** Checks a virtual MFA device name (VirtualMFADeviceName). */
export function checkMfaDeviceName(name: string): void {
  checkLength(
    name,
    1,
    64,
    'InvalidParameter.VirtualMFADeviceName.Length',
    'The parameter - "VirtualMFADeviceName" beyond the length limit.',
  );
  checkChars(
    name,
    NAME,
    'InvalidParameter.VirtualMFADeviceName.InvalidChars',
    'The parameter - "VirtualMFADeviceName" contains invalid chars.',
  );
}

/** The sealing context of a virtual MFA device's seed (the device name ignoring case). */
export const mfaSeedSealContext = (accountId: string, name: string): string =>
  `ram:mfa:${accountId}:${nameKey(name)}`;

export function createMfa(ctx: DomainContext): MfaDomain {
  const { store } = ctx;

  async function requireDevice(tx: Tx, accountId: string, serial: string) {
    const name = mfaDeviceNameOf(accountId, serial);
    const row =
      name === undefined || !NAME.test(name)
        ? undefined
        : await tx
            .selectFrom('mfa_devices')
            .selectAll()
            .where('account_id', '=', accountId)
            .where('name_key', '=', nameKey(name))
            .executeTakeFirst();
    if (!row) throw err.mfaDeviceNotExist(serial);
    return row;
  }

  async function deviceOfUser(tx: Tx, accountId: string, userId: string) {
    return tx
      .selectFrom('mfa_devices')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async function deviceOfRoot(tx: Tx, accountId: string) {
    const account = await tx
      .selectFrom('accounts')
      .select('root_mfa_device')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!account?.root_mfa_device) return undefined;
    return tx
      .selectFrom('mfa_devices')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('name_key', '=', account.root_mfa_device)
      .executeTakeFirst();
  }

  /** Whether the device is bound to the root of its account. */
  async function boundToRoot(tx: Tx, accountId: string, nameKeyOfDevice: string): Promise<boolean> {
    const row = await tx
      .selectFrom('accounts')
      .select('account_id')
      .where('account_id', '=', accountId)
      .where('root_mfa_device', '=', nameKeyOfDevice)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The step at which the two codes follow each other (code1 at t, code2 at t+1), t up to two steps old. */
  function bindingStep(seed: string, code1: string, code2: string, now: Date): number | undefined {
    const current = totpStep(now);
    let matched: number | undefined;
    for (let t = current - 2; t <= current; t++) {
      const ok =
        constantTimeEqual(totpCode(seed, t), code1) && constantTimeEqual(totpCode(seed, t + 1), code2);
      if (ok && matched === undefined) matched = t + 1;
    }
    return matched;
  }

  /**
   * Checks a code of a bound device: valid within one step either side of now, and at a step
   * after the last one accepted. The step is recorded in a conditional update, so the same
   * code (or an older one) is accepted once, even by parallel requests on several nodes.
   */
  async function verifyDeviceCode(
    tx: Tx,
    accountId: string,
    device: { name_key: string; device_name: string; seed_sealed: string; last_step: number | null },
    code: string,
    now: Date,
  ): Promise<boolean> {
    const seed = ctx.sealer.unsealText(device.seed_sealed, mfaSeedSealContext(accountId, device.device_name));
    const step = findTotpStep(seed, code, now, 1);
    if (step === undefined || (device.last_step !== null && step <= device.last_step)) return false;
    const res = await tx
      .updateTable('mfa_devices')
      .set({ last_step: step })
      .where('account_id', '=', accountId)
      .where('name_key', '=', device.name_key)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  const domain: MfaDomain = {
    async createVirtual(accountId, name, opts) {
      checkMfaDeviceName(name);
      const seed = generateTotpSecret();
      const serialNumber = mfaSerialNumber(accountId, name);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        // Self-service: one device of the caller's own at a time (serialized by the user lock).
        const owner =
          opts?.selfService === undefined ? undefined : await lockUser(ctx, tx, accountId, opts.selfService);
        if (owner) {
          const own = await tx
            .selectFrom('mfa_devices')
            .select('serial_number')
            .where('account_id', '=', accountId)
            .where((eb) =>
              eb.or([
                eb('user_id', '=', owner.user_id),
                eb.and([eb('owner_user_id', '=', owner.user_id), eb('user_id', 'is', null)]),
              ]),
            )
            .executeTakeFirst();
          if (own) throw err.userOwnsMfaDevice(owner.user_name, own.serial_number);
        }
        const taken = await tx
          .selectFrom('mfa_devices')
          .select('name_key')
          .where('account_id', '=', accountId)
          .where('name_key', '=', nameKey(name))
          .executeTakeFirst();
        if (taken) throw err.mfaDeviceExists(name);
        await requireRoom(ctx, tx, 'mfa_devices', accountId, err.mfaDeviceLimit);
        await uniquely(
          () =>
            tx
              .insertInto('mfa_devices')
              .values({
                account_id: accountId,
                name_key: nameKey(name),
                device_name: name,
                serial_number: serialNumber,
                seed_sealed: ctx.sealer.seal(seed, mfaSeedSealContext(accountId, name)),
                user_id: null,
                activate_date: null,
                last_step: null,
                create_date: nowIso(ctx),
                owner_user_id: owner?.user_id ?? null,
              })
              .execute(),
          () => err.mfaDeviceExists(name),
        );
        await addToCount(tx, 'mfa_devices', accountId, 1);
      });
      const domain = await accountDomain(store.db, accountId);
      const url = otpauthUrl({ secret: seed, label: `${name}@${domain}`, issuer: 'Rampart' });
      return {
        serialNumber,
        virtualMFADeviceName: name,
        base32StringSeed: seed,
        otpauthUrl: url,
        qrCodePng: (await qrCodePng(url)).toString('base64'),
      };
    },

    async bind(accountId, userName, serialNumber, code1, code2, at) {
      if (!CODE.test(code1) || !CODE.test(code2)) throw err.authCodeFormat();
      const now = at ?? ctx.clock();
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await lockUser(ctx, tx, accountId, userName);
        const device = await requireDevice(tx, accountId, serialNumber);
        if (device.user_id !== null) {
          if (device.user_id === user.user_id) throw err.userMfaExists(user.user_name);
          throw err.mfaDeviceBound(serialNumber);
        }
        if (await boundToRoot(tx, accountId, device.name_key)) throw err.mfaDeviceBound(serialNumber);
        if (await deviceOfUser(tx, accountId, user.user_id)) throw err.userMfaExists(user.user_name);
        const seed = ctx.sealer.unsealText(
          device.seed_sealed,
          mfaSeedSealContext(accountId, device.device_name),
        );
        // code1 at step t, code2 at t+1; t may be up to two steps old (the user waited for the second code).
        const matched = bindingStep(seed, code1, code2, now);
        if (matched === undefined) throw err.authCodeFail();
        await tx
          .updateTable('mfa_devices')
          .set({ user_id: user.user_id, activate_date: nowIso(ctx), last_step: matched })
          .where('account_id', '=', accountId)
          .where('name_key', '=', device.name_key)
          .execute();
        // MFA presence is a condition key; binding can change what requests are allowed.
        await bumpPermissions(tx, accountId);
      });
    },

    async unbind(accountId, userName) {
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await requireUser(tx, accountId, userName);
        const device = await deviceOfUser(tx, accountId, user.user_id);
        if (!device) throw err.userMfaNotExist(user.user_name);
        await tx
          .updateTable('mfa_devices')
          .set({ user_id: null, activate_date: null, last_step: null })
          .where('account_id', '=', accountId)
          .where('name_key', '=', device.name_key)
          .execute();
        await bumpPermissions(tx, accountId);
        return { serialNumber: device.serial_number };
      });
    },

    async disableVirtual(accountId, userName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const user = await requireUser(tx, accountId, userName);
        const device = await deviceOfUser(tx, accountId, user.user_id);
        if (!device) throw err.userMfaNotExist(user.user_name);
        if (await boundToRoot(tx, accountId, device.name_key))
          throw err.mfaDeviceDeleteConflict(device.serial_number);
        await deleteCounted(tx, 'mfa_devices', accountId, device.name_key);
        // MFA presence is a condition key; losing it can change what requests are allowed.
        await bumpPermissions(tx, accountId);
      });
    },

    async deleteVirtual(accountId, serialNumber, opts) {
      await store.transaction(async (tx) => {
        // Serialized with bind: a device bound meanwhile must not be deleted under its user.
        await lockAccount(ctx, tx, accountId);
        const device = await requireDevice(tx, accountId, serialNumber);
        if (opts?.selfService !== undefined) {
          const caller = await requireUser(tx, accountId, opts.selfService);
          if (device.owner_user_id !== caller.user_id) throw err.mfaDeviceNotOwned();
        }
        if (device.user_id !== null || (await boundToRoot(tx, accountId, device.name_key)))
          throw err.mfaDeviceDeleteConflict(serialNumber);
        await deleteCounted(tx, 'mfa_devices', accountId, device.name_key);
      });
    },

    async listVirtual(accountId) {
      const rows = await store.db
        .selectFrom('mfa_devices')
        .leftJoin('users', (j) =>
          j
            .onRef('users.account_id', '=', 'mfa_devices.account_id')
            .onRef('users.user_id', '=', 'mfa_devices.user_id'),
        )
        .select([
          'mfa_devices.serial_number',
          'mfa_devices.device_name',
          'mfa_devices.create_date',
          'mfa_devices.activate_date',
          'users.user_id',
          'users.user_name',
          'users.display_name',
        ])
        .where('mfa_devices.account_id', '=', accountId)
        .orderBy('mfa_devices.name_key')
        .execute();
      return rows.map((r) => ({
        serialNumber: r.serial_number,
        virtualMFADeviceName: r.device_name,
        createDate: r.create_date,
        activateDate: optionalText(r.activate_date),
        ...(r.user_id && r.user_name
          ? { user: { userId: r.user_id, userName: r.user_name, displayName: optionalText(r.display_name) } }
          : {}),
      }));
    },

    async getUserMFAInfo(accountId, userName) {
      const user = await requireUser(store.db, accountId, userName);
      const device = await deviceOfUser(store.db, accountId, user.user_id);
      if (!device) throw err.userMfaNotExist(user.user_name);
      return {
        serialNumber: device.serial_number,
        type: 'VMFA',
        activateDate: optionalText(device.activate_date),
      };
    },

    async verifyUserCode(accountId, userName, code, at) {
      if (!CODE.test(code)) return false;
      const now = at ?? ctx.clock();
      return store.transaction(async (tx) => {
        const user = await requireUser(tx, accountId, userName).catch(() => undefined);
        if (!user) return false;
        const device = await deviceOfUser(tx, accountId, user.user_id);
        if (!device) return false;
        return verifyDeviceCode(tx, accountId, device, code, now);
      });
    },

    async verifyRootCode(accountId, code, at) {
      if (!CODE.test(code)) return false;
      const now = at ?? ctx.clock();
      return store.transaction(async (tx) => {
        const device = await deviceOfRoot(tx, accountId);
        if (!device) return false;
        return verifyDeviceCode(tx, accountId, device, code, now);
      });
    },

    async hasMfa(accountId, principal) {
      const device =
        principal.kind === 'root'
          ? await deviceOfRoot(store.db, accountId)
          : await deviceOfUser(store.db, accountId, principal.userId);
      return device !== undefined;
    },

    async createForLogon(accountId, principal, beforeCreate) {
      const base =
        principal.kind === 'root'
          ? 'root'
          : principal.userName.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 50) || 'user';
      const name = `${base}-${randomAlnum(8).toLowerCase()}`;
      await beforeCreate?.(name);
      if (principal.kind === 'user') {
        // A device the user created for itself earlier and never bound (an abandoned logon).
        await store.transaction(async (tx) => {
          await lockAccount(ctx, tx, accountId);
          const user = await requireUser(tx, accountId, principal.userName);
          const stale = await tx
            .selectFrom('mfa_devices')
            .select('name_key')
            .where('account_id', '=', accountId)
            .where('owner_user_id', '=', user.user_id)
            .where('user_id', 'is', null)
            .execute();
          for (const d of stale) {
            if (await boundToRoot(tx, accountId, d.name_key)) continue;
            await deleteCounted(tx, 'mfa_devices', accountId, d.name_key);
          }
        });
      }
      return domain.createVirtual(
        accountId,
        name,
        principal.kind === 'user' ? { selfService: principal.userName } : undefined,
      );
    },

    async unbindOwn(accountId, principal, code, at) {
      if (!CODE.test(code)) throw err.authCodeFormat();
      const now = at ?? ctx.clock();
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const device =
          principal.kind === 'root'
            ? await deviceOfRoot(tx, accountId)
            : await deviceOfUser(tx, accountId, principal.userId);
        if (!device) throw principal.kind === 'root' ? err.rootMfaNotExist() : err.ownMfaNotExist();
        if (!(await verifyDeviceCode(tx, accountId, device, code, now))) throw err.authCodeFail();
        if (principal.kind === 'root') {
          await tx
            .updateTable('accounts')
            .set({ root_mfa_device: null })
            .where('account_id', '=', accountId)
            .execute();
        }
        await tx
          .deleteFrom('mfa_devices')
          .where('account_id', '=', accountId)
          .where('name_key', '=', device.name_key)
          .execute();
        await bumpPermissions(tx, accountId);
        return { serialNumber: device.serial_number };
      });
    },

    async bindRoot(accountId, serialNumber, code1, code2, at) {
      if (!CODE.test(code1) || !CODE.test(code2)) throw err.authCodeFormat();
      const now = at ?? ctx.clock();
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const device = await requireDevice(tx, accountId, serialNumber);
        if (device.user_id !== null || (await boundToRoot(tx, accountId, device.name_key)))
          throw err.mfaDeviceBound(serialNumber);
        if (await deviceOfRoot(tx, accountId)) throw err.rootMfaExists();
        const seed = ctx.sealer.unsealText(
          device.seed_sealed,
          mfaSeedSealContext(accountId, device.device_name),
        );
        const matched = bindingStep(seed, code1, code2, now);
        if (matched === undefined) throw err.authCodeFail();
        await tx
          .updateTable('mfa_devices')
          .set({ activate_date: nowIso(ctx), last_step: matched })
          .where('account_id', '=', accountId)
          .where('name_key', '=', device.name_key)
          .execute();
        await tx
          .updateTable('accounts')
          .set({ root_mfa_device: device.name_key })
          .where('account_id', '=', accountId)
          .execute();
        await bumpPermissions(tx, accountId);
      });
    },
  };
  return domain;
}
