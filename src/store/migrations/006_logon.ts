import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * Console logon state, shared by every node through the store:
 * - `logon_sessions`: server-side console sessions, keyed by the SHA-256 of the opaque id
 *   (the id itself is never stored);
 * - `logon_steps`: pending logon steps (MFA code, password change, MFA binding), keyed by the
 *   SHA-256 of their single-use token;
 * - `logon_throttle`: failed-logon counters per source address and per login name, each with
 *   the start of its window;
 * - the root's lock-out (failed attempts, window start, lock), password history and bound
 *   virtual MFA device on `accounts`;
 * - `login_profiles.failed_since`: the start of the window in which failed logons count.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('logon_sessions')
    .addColumn('session_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('mfa_present', 'integer', (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('logon_sessions_principal')
    .on('logon_sessions')
    .columns(['account_id', 'user_id'])
    .execute();
  await db.schema.createIndex('logon_sessions_expiry').on('logon_sessions').column('expires_at').execute();

  await db.schema
    .createTable('logon_steps')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('logon_steps_expiry').on('logon_steps').column('expires_at').execute();

  await db.schema
    .createTable('logon_throttle')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('logon_throttle_pk', ['scope', 'subject'])
    .execute();
  await db.schema.createIndex('logon_throttle_window').on('logon_throttle').column('window_start').execute();

  await db.schema
    .alterTable('accounts')
    .addColumn('root_failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('accounts').addColumn('root_failed_since', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('root_locked_until', 'text').execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('root_password_history', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('accounts').addColumn('root_mfa_device', 'text').execute();
  await db.schema.alterTable('login_profiles').addColumn('failed_since', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('login_profiles').dropColumn('failed_since').execute();
  for (const c of [
    'root_mfa_device',
    'root_password_history',
    'root_locked_until',
    'root_failed_since',
    'root_failed_attempts',
  ]) {
    await db.schema.alterTable('accounts').dropColumn(c).execute();
  }
  await db.schema.dropTable('logon_throttle').execute();
  await db.schema.dropTable('logon_steps').execute();
  await db.schema.dropTable('logon_sessions').execute();
}
