import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * Logon by auxiliary domain, and remembered MFA:
 * - `accounts.auxiliary_domain`: the account's auxiliary domain (IMS SetUserSsoSettings
 *   `AuxiliaryDomain`), lower-cased, null when none; unique across the deployment, so that a
 *   login name `name@<auxiliary domain>` names one account. It is copied from the JSON of
 *   `user_sso_settings`. Where several accounts already hold the same domain (ignoring case), the
 *   account created first keeps it; the others lose it (cleared in their settings too), and
 *   each loss is written to `operator_log` (`migration.auxiliary-domain-cleared`, see
 *   `rampart admin log`) and to standard error. Clearing only narrows what those accounts
 *   accept (their SAML NameIDs with that suffix are refused), never widens it.
 * - `logon_mfa_tickets`: "remember this device" tickets of RAM users (security preference
 *   EnableSaveMFATicket), keyed by the SHA-256 of the opaque token (never the token itself),
 *   with stamps of the password and of the MFA devices they were issued under.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('auxiliary_domain', 'text').execute();

  const rows = (await db
    .selectFrom('accounts')
    .select(['account_id', 'create_date', 'user_sso_settings'])
    .where('user_sso_settings', 'is not', null)
    .orderBy('create_date')
    .orderBy('account_id')
    .execute()) as { account_id: string; create_date: string; user_sso_settings: string }[];
  const holder = new Map<string, string>();
  for (const row of rows) {
    let settings: Record<string, unknown>;
    try {
      settings = JSON.parse(row.user_sso_settings) as Record<string, unknown>;
    } catch {
      continue;
    }
    const value = settings.auxiliaryDomain;
    if (typeof value !== 'string' || value === '') continue;
    const domain = value.toLowerCase();
    const first = holder.get(domain);
    if (first === undefined) {
      holder.set(domain, row.account_id);
      await db
        .updateTable('accounts')
        .set({ auxiliary_domain: domain })
        .where('account_id', '=', row.account_id)
        .execute();
      continue;
    }
    await db
      .updateTable('accounts')
      .set({ user_sso_settings: JSON.stringify({ ...settings, auxiliaryDomain: '' }) })
      .where('account_id', '=', row.account_id)
      .execute();
    await db
      .insertInto('operator_log')
      .values({
        id: randomBytes(8).toString('hex'),
        at: new Date().toISOString(),
        action: 'migration.auxiliary-domain-cleared',
        account_id: row.account_id,
        actor: actor(),
        detail: JSON.stringify({ auxiliaryDomain: domain, keptByAccountId: first }),
      })
      .execute();
    console.warn(
      `rampart: migration 017: auxiliary domain ${domain} was set on several accounts; ` +
        `account ${first} (created first) keeps it, account ${row.account_id} no longer has one`,
    );
  }
  await db.schema
    .createIndex('accounts_auxiliary_domain')
    .on('accounts')
    .column('auxiliary_domain')
    .unique()
    .execute();

  await db.schema
    .createTable('logon_mfa_tickets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('password_stamp', 'text', (c) => c.notNull())
    .addColumn('mfa_stamp', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('logon_mfa_tickets_user')
    .on('logon_mfa_tickets')
    .columns(['account_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('logon_mfa_tickets_expiry')
    .on('logon_mfa_tickets')
    .column('expires_at')
    .execute();
}

function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (a container): keep 'unknown'.
  }
  return `migration@${user}@${hostname()}`;
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('logon_mfa_tickets').execute();
  await db.schema.dropIndex('accounts_auxiliary_domain').execute();
  await db.schema.alterTable('accounts').dropColumn('auxiliary_domain').execute();
}
