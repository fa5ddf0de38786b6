import { sha256Hex } from '../crypto/digest.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { Tx } from '../store/index.js';
import type { DomainContext } from './context.js';
import { isoSeconds } from './common.js';
import { hashOfOpaqueId, newOpaqueId } from './sessions.js';

/** How long a remembered-MFA ticket lives: 7 days, as on the real service. */
export const MFA_TICKET_TTL_MS = 7 * 24 * 3_600_000;

/**
 * "Remember this device for 7 days" (security preference EnableSaveMFATicket): after a RAM
 * user passed the MFA step and asked for it, the browser holds an opaque random ticket (a
 * cookie); the store keeps its SHA-256 only, bound to the user and stamped with the user's
 * password hash and MFA devices as they were. A later logon of the same user that presents a
 * valid ticket skips the MFA step. A ticket stops working when it expires, when the preference
 * is off, when the password is changed or reset (the password stamp differs), when the user's
 * MFA devices change (the device stamp differs: unbound, replaced, a security key added or
 * removed), or when the user is deleted (the stamps find no login profile or user; a user
 * created again under the same name has another id).
 */
export interface MfaTickets {
  /** A new ticket for the user; the token is returned once and never stored. */
  issue(accountId: string, userId: string): Promise<{ token: string; expiresAt: Date } | undefined>;
  /** Whether the token is a live ticket of this user whose stamps still match. */
  valid(token: string, accountId: string, userId: string): Promise<boolean>;
}

/** Ends every ticket of the account (the preference turned off). */
export async function revokeMfaTickets(tx: Tx, accountId: string): Promise<void> {
  await tx.deleteFrom('logon_mfa_tickets').where('account_id', '=', accountId).execute();
}

/** A stamp of the user's password: the SHA-256 of the stored hash (a new salt at every change). */
async function passwordStamp(tx: Tx, accountId: string, userId: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('login_profiles')
    .select('password_hash')
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? sha256Hex(row.password_hash) : undefined;
}

/** A stamp of the user's MFA devices: its bound virtual device and its security keys. */
async function mfaStamp(tx: Tx, accountId: string, userId: string): Promise<string> {
  const devices = await tx
    .selectFrom('mfa_devices')
    .select(['serial_number', 'activate_date'])
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .execute();
  const keys = await tx
    .selectFrom('webauthn_credentials')
    .select('credential_id')
    .where('account_id', '=', accountId)
    .where('principal_type', '=', 'RAMUser')
    .where('user_id', '=', userId)
    .execute();
  const parts = [
    ...devices.map((d) => `totp:${d.serial_number}:${d.activate_date ?? ''}`),
    ...keys.map((k) => `webauthn:${k.credential_id}`),
  ].sort();
  return sha256Hex(parts.join('\n'));
}

export function createMfaTickets(ctx: DomainContext): MfaTickets {
  const { store } = ctx;
  return {
    async issue(accountId, userId) {
      const now = ctx.clock();
      const expiresAt = new Date(now.getTime() + MFA_TICKET_TTL_MS);
      const { id, hash } = newOpaqueId();
      const issued = await store.transaction(async (tx) => {
        const password = await passwordStamp(tx, accountId, userId);
        if (password === undefined) return false;
        // Expired tickets of every account go as new ones come (indexed by expiry).
        await tx.deleteFrom('logon_mfa_tickets').where('expires_at', '<=', now.toISOString()).execute();
        await tx
          .insertInto('logon_mfa_tickets')
          .values({
            token_hash: hash,
            account_id: accountId,
            user_id: userId,
            password_stamp: password,
            mfa_stamp: await mfaStamp(tx, accountId, userId),
            create_date: isoSeconds(now),
            expires_at: expiresAt.toISOString(),
          })
          .execute();
        return true;
      });
      return issued ? { token: id, expiresAt } : undefined;
    },

    async valid(token, accountId, userId) {
      const hash = hashOfOpaqueId(token);
      if (!hash) return false;
      const row = await store.db
        .selectFrom('logon_mfa_tickets')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.account_id !== accountId || row.user_id !== userId) return false;
      const end = async (): Promise<false> => {
        await store.db.deleteFrom('logon_mfa_tickets').where('token_hash', '=', hash).execute();
        return false;
      };
      if (Date.parse(row.expires_at) <= ctx.clock().getTime()) return end();
      const password = await passwordStamp(store.db, accountId, userId);
      if (password === undefined || !constantTimeEqual(password, row.password_stamp)) return end();
      if (!constantTimeEqual(await mfaStamp(store.db, accountId, userId), row.mfa_stamp)) return end();
      return true;
    },
  };
}
