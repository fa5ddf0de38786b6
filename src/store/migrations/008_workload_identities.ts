import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * `workload_identities`: a workload (a service on a host, a CI job) bound to a role. It gets
 * the role's temporary credentials from the credentials endpoint by presenting its binding
 * secret; only the SHA-256 of that secret is stored (it is 256 random bits, so a fast hash
 * is as strong as a slow one). `networks` is a `;`-separated list of CIDR blocks the
 * workload may call from ('' = anywhere).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workload_identities')
    .addColumn('workload_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('networks', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('last_used_date', 'text')
    .addUniqueConstraint('workload_identities_name', ['account_id', 'name_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workload_identities').execute();
}
