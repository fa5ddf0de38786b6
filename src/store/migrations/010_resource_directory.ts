import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * The Resource Directory (docs/resource-directory.md):
 * - `rd_directories`: one per management account; `control_policy_status` is Enabled or
 *   Disabled;
 * - `rd_folders`: the Root folder (no parent, depth 0) and folders up to depth 5; names are
 *   unique in the directory (`name_key`, lower-cased);
 * - `rd_accounts`: the member accounts, each in one folder (the management account included);
 * - `rd_control_policies`: the custom control policies of a directory (the System policy
 *   FullAliyunAccess is built in, not stored);
 * - `rd_control_attachments`: which policy is attached to which node (Root folder, folder or
 *   member account id).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rd_directories')
    .addColumn('directory_id', 'text', (c) => c.primaryKey())
    .addColumn('master_account_id', 'text', (c) =>
      c.notNull().unique().references('accounts.account_id').onDelete('cascade'),
    )
    .addColumn('root_folder_id', 'text', (c) => c.notNull())
    .addColumn('control_policy_status', 'text', (c) => c.notNull())
    .addColumn('create_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rd_folders')
    .addColumn('folder_id', 'text', (c) => c.primaryKey())
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('folder_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('parent_folder_id', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('create_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('rd_folders_name', ['directory_id', 'name_key'])
    .execute();
  await db.schema.createIndex('rd_folders_parent').on('rd_folders').column('parent_folder_id').execute();
  await db.schema
    .createTable('rd_accounts')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('accounts.account_id').onDelete('cascade'),
    )
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('folder_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('account_type', 'text', (c) => c.notNull())
    .addColumn('join_method', 'text', (c) => c.notNull())
    .addColumn('join_time', 'text', (c) => c.notNull())
    .addColumn('modify_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rd_accounts_directory')
    .on('rd_accounts')
    .columns(['directory_id', 'folder_id'])
    .execute();
  await db.schema
    .createTable('rd_control_policies')
    .addColumn('policy_id', 'text', (c) => c.primaryKey())
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('effect_scope', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addUniqueConstraint('rd_control_policies_name', ['directory_id', 'name_key'])
    .execute();
  await db.schema
    .createTable('rd_control_attachments')
    .addColumn('directory_id', 'text', (c) =>
      c.notNull().references('rd_directories.directory_id').onDelete('cascade'),
    )
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('attach_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rd_control_attachments_pk', ['directory_id', 'target_id', 'policy_id'])
    .execute();
  await db.schema
    .createIndex('rd_control_attachments_policy')
    .on('rd_control_attachments')
    .columns(['directory_id', 'policy_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rd_control_attachments').execute();
  await db.schema.dropTable('rd_control_policies').execute();
  await db.schema.dropTable('rd_accounts').execute();
  await db.schema.dropTable('rd_folders').execute();
  await db.schema.dropTable('rd_directories').execute();
}
