import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * Single sign-on:
 * - `saml_assertion_ids`: the ID of every SAML assertion accepted (console SSO and
 *   AssumeRoleWithSAML), per issuer, until the assertion could no longer be used: an assertion
 *   is accepted once, on every node;
 * - `saml_requests`: the AuthnRequests Rampart sent (SP-initiated logon), each answered once;
 * - `logon_sessions` gains the role session of a role-based SSO logon: role id, session name
 *   and the SAML provider that vouched for it (principal_type 'AssumedRole').
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saml_assertion_ids')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('assertion_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_assertion_ids_pk', ['issuer', 'assertion_id'])
    .execute();
  await db.schema
    .createIndex('saml_assertion_ids_expiry')
    .on('saml_assertion_ids')
    .column('expires_at')
    .execute();
  await db.schema
    .createTable('saml_requests')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saml_requests_expiry').on('saml_requests').column('expires_at').execute();
  await db.schema.alterTable('logon_sessions').addColumn('role_id', 'text').execute();
  await db.schema.alterTable('logon_sessions').addColumn('role_session_name', 'text').execute();
  await db.schema.alterTable('logon_sessions').addColumn('federated_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('logon_sessions').dropColumn('federated_by').execute();
  await db.schema.alterTable('logon_sessions').dropColumn('role_session_name').execute();
  await db.schema.alterTable('logon_sessions').dropColumn('role_id').execute();
  await db.schema.dropTable('saml_requests').execute();
  await db.schema.dropTable('saml_assertion_ids').execute();
}
