import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_entity_counts.js';
import * as m003 from './003_deployment.js';
import * as m004 from './004_mfa_device_owner.js';
import * as m005 from './005_ims_identity.js';
import * as m006 from './006_logon.js';
import * as m007 from './007_audit_trail.js';
import * as m008 from './008_workload_identities.js';
import * as m009 from './009_oss_store.js';
import * as m010 from './010_resource_directory.js';
import * as m011 from './011_webauthn.js';
import * as m012 from './012_sso.js';
import * as m013 from './013_job_runs.js';
import * as m015 from './015_rd_invitations.js';
import * as m017 from './017_auxiliary_domain_mfa_tickets.js';
import * as m018 from './018_byte_order_collation.js';

/** Every migration, by name; names sort in the order they run. Add new ones at the end. */
export const migrations: Readonly<Record<string, Migration>> = {
  '001_initial': m001,
  '002_entity_counts': m002,
  '003_deployment': m003,
  '004_mfa_device_owner': m004,
  '005_ims_identity': m005,
  '006_logon': m006,
  '007_audit_trail': m007,
  '008_workload_identities': m008,
  '009_oss_store': m009,
  '010_resource_directory': m010,
  '011_webauthn': m011,
  '012_sso': m012,
  '013_job_runs': m013,
  '015_rd_invitations': m015,
  '017_auxiliary_domain_mfa_tickets': m017,
  '018_byte_order_collation': m018,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/**
 * Brings the schema up to date. Applied migrations are recorded in the table
 * rampart_migration (Kysely's Migrator, which also takes a lock so that several nodes
 * starting together run each migration once).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'rampart_migration',
    migrationLockTableName: 'rampart_migration_lock',
    // A migration numbered below one already applied (features developed side by side) still
    // runs; each creates its own tables, so their order between themselves does not matter.
    allowUnorderedMigrations: true,
  });
  await refuseNewerSchema(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
  }
}

/**
 * A database migrated by a later Rampart (a migration applied that this version does not have)
 * is refused with a message that says so, before anything is changed: this version's code would
 * misread a schema it does not know, and the way back is to run that later version again.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function refuseNewerSchema(db: Kysely<any>): Promise<void> {
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`select name from rampart_migration`.execute(db);
    applied = rows.rows.map((r) => r.name);
  } catch {
    return; // a new database: no migration was applied yet
  }
  const unknown = applied.filter((name) => !Object.hasOwn(migrations, name)).sort();
  if (unknown.length > 0) {
    throw new Error(
      `the database was migrated by a later version of Rampart (migration ${unknown.join(', ')}, which this version does not have): run that version or a later one`,
    );
  }
}
