import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * `mfa_devices.owner_user_id`: the RAM user that created the virtual MFA device for itself
 * under self-service (the security preference AllowUserToManageMFADevices, no policy); null
 * for devices created otherwise (the root, or a policy), including every device already
 * there. Self-service covers one device per user: the column is how the domain finds it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mfa_devices').addColumn('owner_user_id', 'text').execute();
  await db.schema
    .createIndex('mfa_devices_owner')
    .on('mfa_devices')
    .columns(['account_id', 'owner_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mfa_devices_owner').execute();
  await db.schema.alterTable('mfa_devices').dropColumn('owner_user_id').execute();
}
