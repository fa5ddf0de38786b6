import { PostgresAdapter, sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * The text columns whose order the API shows, or that a paging marker is compared with, by
 * table. Their values can sort differently under a linguistic collation than by bytes: names
 * and tag keys (`-`, `.`, `_`, letters beyond ASCII), and ids of mixed-case letters that break
 * ties between rows of the same second.
 *
 * Not listed, because every collation orders their values as bytes do: ISO 8601 dates of one
 * format, ids of digits only (account, user, role, policy ids; `tags.resource_id` holds those),
 * lower-case hex ids. `oss_*` keys and bucket names use "C" since `009_oss_store`.
 */
const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  // ListUsers, ListGroups, ListRoles, ListPolicies, ListSAMLProviders / ListOIDCProviders:
  // ordered by name_key, the marker compared with it.
  users: ['name_key'],
  user_groups: ['name_key'],
  roles: ['name_key'],
  policies: ['name_key'],
  saml_providers: ['name_key'],
  oidc_providers: ['name_key'],
  // ListVirtualMFADevices, workload identities: ordered by name_key.
  mfa_devices: ['name_key'],
  workload_identities: ['name_key'],
  // ListPoliciesForUser / Group / Role: attach date, then the policy's lower-cased name.
  attachments: ['policy_key'],
  // ListTagResources: ordered by (name_key, tag_key) or (resource_id, tag_key), the token
  // compared with them.
  tags: ['tag_key'],
  // ListAccessKeys, `rampart keys`, the Resource Directory's lists: a date, then the id.
  access_keys: ['access_key_id'],
  deployment_keys: ['key_id'],
  rd_folders: ['folder_id'],
  rd_control_policies: ['policy_id'],
  rd_control_attachments: ['target_id', 'policy_id'],
  rd_handshakes: ['handshake_id'],
  rd_delegated_admins: ['service_principal'],
  // ListMultipartUploads: ordered by (object_key, upload_id), the upload-id-marker compared
  // with upload_id; oss_parts refers to it.
  oss_uploads: ['upload_id'],
  oss_parts: ['upload_id'],
};

/**
 * On PostgreSQL, the columns above use the "C" collation: they sort by bytes (code points,
 * for UTF-8), as SQLite compares text, whatever the database's default collation (en_US,
 * ICU...). Before, a database created with a linguistic collation listed users, groups, roles,
 * policies and tags in another order than SQLite, and a marker compared under it could
 * disagree with an order computed elsewhere. The indexes on these columns (primary keys and
 * unique indexes included) are rebuilt by PostgreSQL; the rows are not rewritten. Uniqueness
 * is unchanged: a database's default collation is deterministic, so two values were already
 * equal only when their bytes were. SQLite: nothing to do.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await collate(db, sql`text collate "C"`);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await collate(db, sql`text collate "default"`);
}

async function collate(db: Kysely<any>, type: ReturnType<typeof sql>): Promise<void> {
  for (const [table, columns] of Object.entries(COLUMNS)) {
    const [first, ...rest] = columns;
    let q = db.schema.alterTable(table).alterColumn(first!, (c) => c.setDataType(type));
    for (const column of rest) q = q.alterColumn(column, (c) => c.setDataType(type));
    await q.execute();
  }
}
