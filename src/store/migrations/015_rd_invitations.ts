import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * Resource Directory invitations and delegated administrators (docs/resource-directory.md):
 * - `rd_handshakes`: an invitation of an existing account into a directory; `status` is
 *   Pending, Accepted, Cancelled or Declined as stored (Expired is decided at read time
 *   against `expire_time`); `target_account_id` is the invited account, resolved at invite time;
 * - `rd_delegated_admins`: a member account registered as delegated administrator of a
 *   trusted service (`service_principal`, lower-cased) of its directory.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rd_handshakes')
    .addColumn('handshake_id', 'text', (c) => c.primaryKey())
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_entity', 'text', (c) => c.notNull())
    .addColumn('target_account_id', 'text', (c) =>
      c.notNull().references('accounts.account_id').onDelete('cascade'),
    )
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('create_time', 'text', (c) => c.notNull())
    .addColumn('expire_time', 'text', (c) => c.notNull())
    .addColumn('modify_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rd_handshakes_directory')
    .on('rd_handshakes')
    .columns(['directory_id', 'create_time'])
    .execute();
  await db.schema
    .createIndex('rd_handshakes_target')
    .on('rd_handshakes')
    .columns(['target_account_id', 'create_time'])
    .execute();
  await db.schema
    .createTable('rd_delegated_admins')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('service_principal', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('enabled_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rd_delegated_admins_pk', ['account_id', 'service_principal'])
    .execute();
  await db.schema
    .createIndex('rd_delegated_admins_directory')
    .on('rd_delegated_admins')
    .columns(['directory_id', 'service_principal'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rd_delegated_admins').execute();
  await db.schema.dropTable('rd_handshakes').execute();
}
