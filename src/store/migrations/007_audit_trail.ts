import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * The audit trail:
 * - `audit_events`: one row per event, in the order of its account's hash chain (`seq` from 1);
 *   `body` is the event as JSON text exactly as hashed; the other columns are copies of
 *   event fields that LookupEvents filters on. `account_id` is '' for events that belong to no
 *   account (a request signed with an AccessKey that does not exist).
 * - `audit_chains`: the head of each account's chain (its last seq and hash; the row locked
 *   while appending on PostgreSQL) and the account's retention in days (null: the default).
 * - `audit_checkpoints`: the hash at a seq, sealed under the master key, every so many events
 *   and where expiry cut the chain.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('event_rw', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('principal_id', 'text')
    .addColumn('role_name', 'text')
    .addColumn('access_key_id', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('resource_type', 'text')
    .addColumn('resource_name', 'text')
    .addColumn('sensitive', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['account_id', 'seq'])
    .execute();
  // EventId lookups are scoped by account (a request id is unique by construction).
  await db.schema
    .createIndex('audit_events_event_id')
    .on('audit_events')
    .columns(['account_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('audit_events_time')
    .on('audit_events')
    .columns(['account_id', 'event_time', 'seq'])
    .execute();

  await db.schema
    .createTable('audit_chains')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer')
    .execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('seal', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['account_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_checkpoints').execute();
  await db.schema.dropTable('audit_chains').execute();
  await db.schema.dropTable('audit_events').execute();
}
