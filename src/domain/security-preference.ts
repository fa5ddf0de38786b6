import { BlockList, isIP } from 'node:net';
import type { Tx } from '../store/index.js';
import type { SecurityPreference, SecurityPreferenceDomain, SetSecurityPreferenceInput } from './index.js';
import type { DomainContext } from './context.js';
import { bumpPermissions, invalid, lockAccount, nowIso } from './common.js';
import { revokeMfaTickets } from './mfa-tickets.js';

/** GetSecurityPreference of an account that never set one (reference limits.md section 7). */
export const defaultSecurityPreference: SecurityPreference = {
  enableSaveMFATicket: false,
  allowUserToChangePassword: true,
  allowUserToManageAccessKeys: false,
  allowUserToManageMFADevices: true,
  allowUserToManagePublicKeys: false,
  allowUserToManagePersonalDingTalk: true,
  allowUserToLoginWithPasskey: true,
  loginSessionDuration: 6,
  loginNetworkMasks: '',
  mfaOperationForLogin: 'independent',
  enforceMFAForLogin: false,
  operationForRiskLogin: 'autonomous',
  verificationTypes: [],
};

const MAX_MASKS = 40;
const MAX_MASKS_LENGTH = 512;
const IDLE_DAYS = [90, 180, 365, 730];

/** True for an IPv4/IPv6 address or CIDR block. */
export function isCidr(text: string): boolean {
  const [addr, bits, ...rest] = text.split('/');
  if (rest.length > 0 || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Normalizes LoginNetworkMasks (`;`-separated, spaces ignored) or throws InvalidParameter. */
export function normalizeNetworkMasks(text: string): string {
  if (text.length > MAX_MASKS_LENGTH) {
    throw invalid(`The parameter - "LoginNetworkMasks" beyond the length limit: ${MAX_MASKS_LENGTH}.`);
  }
  const masks = text
    .split(';')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (masks.length > MAX_MASKS) {
    throw invalid(`The parameter - "LoginNetworkMasks" holds more than ${MAX_MASKS} masks.`);
  }
  for (const m of masks) {
    if (!isCidr(m)) throw invalid(`The parameter - "LoginNetworkMasks" holds an invalid mask: ${m}.`);
  }
  return masks.join(';');
}

export async function readSecurityPreference(tx: Tx, accountId: string): Promise<SecurityPreference> {
  const row = await tx
    .selectFrom('accounts')
    .select('security_preference')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw invalid(`The account does not exist: ${accountId}.`);
  return {
    ...defaultSecurityPreference,
    ...(row.security_preference ? JSON.parse(row.security_preference) : {}),
  };
}

function checkBool(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean')
    throw invalid(`The parameter - "${name}" MUST be true or false.`);
}

export function createSecurityPreference(ctx: DomainContext): SecurityPreferenceDomain {
  const { store } = ctx;
  return {
    get: (accountId) => readSecurityPreference(store.db, accountId),

    async allowsLoginFrom(accountId, sourceIp) {
      const masks = (await readSecurityPreference(store.db, accountId)).loginNetworkMasks;
      if (masks === '') return true;
      const family = isIP(sourceIp);
      if (family === 0) return false;
      const list = new BlockList();
      for (const m of masks.split(';')) {
        const [addr, bits] = m.split('/') as [string, string | undefined];
        const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) list.addAddress(addr, type);
        else list.addSubnet(addr, Number(bits), type);
      }
      return list.check(sourceIp, family === 6 ? 'ipv6' : 'ipv4');
    },

    async set(accountId, input: SetSecurityPreferenceInput) {
      const next: Record<string, unknown> = {};
      for (const k of [
        'enableSaveMFATicket',
        'allowUserToChangePassword',
        'allowUserToManageAccessKeys',
        'allowUserToManageMFADevices',
        'allowUserToManagePublicKeys',
        'allowUserToManagePersonalDingTalk',
        'allowUserToLoginWithPasskey',
      ] as const) {
        checkBool(k[0]!.toUpperCase() + k.slice(1), input[k]);
        if (input[k] !== undefined) next[k] = input[k];
      }
      const d = input.loginSessionDuration;
      if (d !== undefined) {
        if (!Number.isInteger(d) || d < 1 || d > 24) {
          throw invalid('The parameter - "LoginSessionDuration" MUST be in the range of 1 and 24.');
        }
        next.loginSessionDuration = d;
      }
      if (input.loginNetworkMasks !== undefined)
        next.loginNetworkMasks = normalizeNetworkMasks(input.loginNetworkMasks);
      if (input.enforceMFAForLogin !== undefined) {
        checkBool('EnforceMFAForLogin', input.enforceMFAForLogin);
        next.mfaOperationForLogin = input.enforceMFAForLogin ? 'mandatory' : 'independent';
      }
      if (input.mfaOperationForLogin !== undefined) {
        if (!['mandatory', 'independent', 'adaptive'].includes(input.mfaOperationForLogin)) {
          throw invalid('The parameter - "MFAOperationForLogin" MUST be mandatory, independent or adaptive.');
        }
        next.mfaOperationForLogin = input.mfaOperationForLogin;
      }
      if (next.mfaOperationForLogin !== undefined)
        next.enforceMFAForLogin = next.mfaOperationForLogin === 'mandatory';
      if (input.operationForRiskLogin !== undefined) {
        if (!['autonomous', 'enforceVerify'].includes(input.operationForRiskLogin)) {
          throw invalid('The parameter - "OperationForRiskLogin" MUST be autonomous or enforceVerify.');
        }
        next.operationForRiskLogin = input.operationForRiskLogin;
      }
      if (input.verificationTypes !== undefined) {
        const types = [...new Set(input.verificationTypes)];
        if (types.some((t) => t !== 'sms' && t !== 'email')) {
          throw invalid('The parameter - "VerificationTypes" MUST hold only sms and email.');
        }
        next.verificationTypes = types;
      }
      for (const [k, wire] of [
        ['maxIdleDaysForAccessKeys', 'MaxIdleDaysForAccessKeys'],
        ['maxIdleDaysForUsers', 'MaxIdleDaysForUsers'],
      ] as const) {
        const v = input[k];
        if (v === undefined) continue;
        if (v !== 0 && !IDLE_DAYS.includes(v)) {
          throw invalid(`The parameter - "${wire}" MUST be one of ${IDLE_DAYS.join(', ')}.`);
        }
        next[k] = v === 0 ? null : v;
      }
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const merged = { ...(await readSecurityPreference(tx, accountId)), ...next } as Record<
          string,
          unknown
        >;
        for (const k of Object.keys(merged)) if (merged[k] === null) delete merged[k];
        await tx
          .updateTable('accounts')
          .set({ security_preference: JSON.stringify(merged), update_date: nowIso(ctx) })
          .where('account_id', '=', accountId)
          .execute();
        // EnableSaveMFATicket off: every remembered-MFA ticket of the account ends for good
        // (turning it on again does not bring them back).
        if (merged.enableSaveMFATicket !== true) await revokeMfaTickets(tx, accountId);
        // AllowUserToManage* settings change what RAM users may do to themselves.
        await bumpPermissions(tx, accountId);
        return merged as unknown as SecurityPreference;
      });
    },
  };
}
