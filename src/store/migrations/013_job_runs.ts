import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * `job_runs`: one row per background job of the deployment (src/ops/job-lease.ts). A node
 * claims a scheduled run by moving `started_at` forward in one conditional UPDATE, so that
 * several nodes sharing a database run each period's job once; `runs` counts the runs and
 * `node` names the last node that ran it. Not keyed by account: jobs span the deployment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('node', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_runs').execute();
}
