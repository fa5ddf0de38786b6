import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/** The account columns that count entities, and the table each one counts. */
const COUNTERS = [
  ['user_count', 'users'],
  ['group_count', 'user_groups'],
  ['role_count', 'roles'],
  ['policy_count', 'policies'],
  ['mfa_device_count', 'mfa_devices'],
] as const;

/**
 * Per-account entity counters, so that quota checks read one row instead of counting the
 * account's rows. The counters start from the rows already present.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const [column, table] of COUNTERS) {
    await db.schema
      .alterTable('accounts')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update accounts set ${sql.ref(column)} = (select count(*) from ${sql.table(table)} t where t.account_id = accounts.account_id)`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [column] of COUNTERS) {
    await db.schema.alterTable('accounts').dropColumn(column).execute();
  }
}
