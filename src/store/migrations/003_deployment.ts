import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * Deployment-level records, outside every account:
 * - `deployment_keys`: the master keys the store's sealed values are sealed under, by id
 *   (never the keys themselves): one `current`, during a rotation the `previous` one, and
 *   the `retired` ones. At most one row is current.
 * - `operator_log`: what operator commands (`rampart admin ...`, `rampart keys rotate`) did
 *   to the store, never with a secret.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deployment_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('retire_date', 'text')
    .execute();
  await db.schema
    .createIndex('deployment_keys_one_current')
    .on('deployment_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', 'current')
    .execute();

  await db.schema
    .createTable('operator_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_log_at').on('operator_log').columns(['at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('operator_log').execute();
  await db.schema.dropTable('deployment_keys').execute();
}
