import { sql } from 'kysely';
import type { DomainContext } from './context.js';
import type { IdleCredentialsDomain } from './index.js';
import { isoSeconds } from './common.js';
import { readSecurityPreference } from './security-preference.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The security preference's MaxIdleDaysForAccessKeys and MaxIdleDaysForUsers made real: a RAM
 * user's AccessKey not used for that many days (counted from its creation when never used)
 * is disabled, and so is the console logon of a user who has not logged on for that many
 * days (counted from the login profile's creation when never). Root keys are not affected.
 * One UPDATE per account and kind, so a run is idempotent and harmless on several nodes.
 */
export function createIdleCredentials(ctx: DomainContext): IdleCredentialsDomain {
  const { store } = ctx;
  return {
    async disableIdle(onDisabled) {
      const now = ctx.clock();
      const accounts = await store.db
        .selectFrom('accounts')
        .select('account_id')
        .where('security_preference', 'is not', null)
        .execute();
      let accessKeys = 0;
      let consoleLogons = 0;
      for (const { account_id: accountId } of accounts) {
        const pref = await readSecurityPreference(store.db, accountId);
        if (pref.maxIdleDaysForAccessKeys) {
          const before = isoSeconds(new Date(now.getTime() - pref.maxIdleDaysForAccessKeys * DAY_MS));
          const days = pref.maxIdleDaysForAccessKeys;
          const rows = await store.transaction(async (tx) => {
            const changed = await tx
              .updateTable('access_keys')
              .set({ status: 'Inactive' })
              .where('account_id', '=', accountId)
              .where('user_id', 'is not', null)
              .where('status', '=', 'Active')
              .where(sql<string>`coalesce(last_used_date, create_date)`, '<', before)
              .returning(['access_key_id', 'user_id'])
              .execute();
            if (changed.length > 0 && onDisabled) {
              const items = changed.map((r) => ({ userId: r.user_id ?? '', accessKeyId: r.access_key_id }));
              await onDisabled(tx, { accountId, kind: 'AccessKey', items, maxIdleDays: days });
            }
            return changed;
          });
          accessKeys += rows.length;
        }
        if (pref.maxIdleDaysForUsers) {
          const before = isoSeconds(new Date(now.getTime() - pref.maxIdleDaysForUsers * DAY_MS));
          const days = pref.maxIdleDaysForUsers;
          const rows = await store.transaction(async (tx) => {
            const changed = await tx
              .updateTable('login_profiles')
              .set({ status: 'Inactive', update_date: isoSeconds(now) })
              .where('account_id', '=', accountId)
              .where('status', '=', 'Active')
              .where(
                sql<string>`coalesce((select u.last_login_date from users u
                  where u.account_id = login_profiles.account_id and u.user_id = login_profiles.user_id),
                  login_profiles.create_date)`,
                '<',
                before,
              )
              .returning(['user_id'])
              .execute();
            if (changed.length > 0 && onDisabled) {
              const items = changed.map((r) => ({ userId: r.user_id }));
              await onDisabled(tx, { accountId, kind: 'ConsoleLogon', items, maxIdleDays: days });
            }
            return changed;
          });
          consoleLogons += rows.length;
        }
      }
      return { accessKeys, consoleLogons };
    },
  };
}
