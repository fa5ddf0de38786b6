import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/** Accounts, identities, policies, attachments, tags and replay nonces. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('alias', 'text')
    .addColumn('alias_key', 'text', (c) => c.unique())
    .addColumn('root_password_hash', 'text', (c) => c.notNull())
    .addColumn('permissions_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quotas', 'text')
    .addColumn('password_policy', 'text')
    .addColumn('security_preference', 'text')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('email', 'text')
    .addColumn('mobile_phone', 'text')
    .addColumn('comments', 'text')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addColumn('last_login_date', 'text')
    .addPrimaryKeyConstraint('users_pk', ['account_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('users_name_key')
    .on('users')
    .columns(['account_id', 'name_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('login_profiles')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_history', 'text', (c) => c.notNull())
    .addColumn('password_reset_required', 'integer', (c) => c.notNull())
    .addColumn('mfa_bind_required', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('password_changed_date', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_profiles_pk', ['account_id', 'user_id'])
    .addForeignKeyConstraint('login_profiles_user_fk', ['account_id', 'user_id'], 'users', [
      'account_id',
      'user_id',
    ])
    .execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('user_id', 'text')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('last_used_date', 'text')
    .execute();
  await db.schema
    .createIndex('access_keys_owner')
    .on('access_keys')
    .columns(['account_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('mfa_devices')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('device_name', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text', (c) => c.notNull())
    .addColumn('seed_sealed', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('activate_date', 'text')
    .addColumn('last_step', 'integer')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mfa_devices_pk', ['account_id', 'name_key'])
    .execute();
  // One device per user: NULLs (unbound devices) never collide in a unique index.
  await db.schema
    .createIndex('mfa_devices_user')
    .on('mfa_devices')
    .columns(['account_id', 'user_id'])
    .unique()
    .execute();

  await db.schema
    .createTable('user_groups')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('comments', 'text')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_groups_pk', ['account_id', 'group_id'])
    .execute();
  await db.schema
    .createIndex('user_groups_name_key')
    .on('user_groups')
    .columns(['account_id', 'name_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('join_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['account_id', 'group_id', 'user_id'])
    .addForeignKeyConstraint('group_members_group_fk', ['account_id', 'group_id'], 'user_groups', [
      'account_id',
      'group_id',
    ])
    .addForeignKeyConstraint('group_members_user_fk', ['account_id', 'user_id'], 'users', [
      'account_id',
      'user_id',
    ])
    .execute();
  await db.schema
    .createIndex('group_members_user')
    .on('group_members')
    .columns(['account_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addColumn('role_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('trust_policy', 'text', (c) => c.notNull())
    .addColumn('max_session_duration', 'integer', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('roles_pk', ['account_id', 'role_id'])
    .execute();
  await db.schema
    .createIndex('roles_name_key')
    .on('roles')
    .columns(['account_id', 'name_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('default_version', 'integer', (c) => c.notNull())
    .addColumn('next_version', 'integer', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policies_pk', ['account_id', 'policy_id'])
    .execute();
  await db.schema
    .createIndex('policies_name_key')
    .on('policies')
    .columns(['account_id', 'name_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('policy_versions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('version_num', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_versions_pk', ['account_id', 'policy_id', 'version_num'])
    .addForeignKeyConstraint('policy_versions_policy_fk', ['account_id', 'policy_id'], 'policies', [
      'account_id',
      'policy_id',
    ])
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('policy_key', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('attach_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachments_pk', [
      'account_id',
      'principal_type',
      'principal_id',
      'policy_type',
      'policy_key',
    ])
    .execute();
  await db.schema
    .createIndex('attachments_policy')
    .on('attachments')
    .columns(['account_id', 'policy_type', 'policy_key'])
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['account_id', 'resource_type', 'resource_id', 'tag_key'])
    .execute();

  await db.schema
    .createTable('nonces')
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('nonces_pk', ['access_key_id', 'nonce'])
    .execute();
  await db.schema.createIndex('nonces_expiry').on('nonces').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'nonces',
    'tags',
    'attachments',
    'policy_versions',
    'policies',
    'roles',
    'group_members',
    'user_groups',
    'mfa_devices',
    'access_keys',
    'login_profiles',
    'users',
    'accounts',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
