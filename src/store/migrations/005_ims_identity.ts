import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * The IMS identity records: SAML and OIDC identity providers, the account's user-based SSO
 * settings (one JSON document per account, like the password policy) and the credential
 * report of each account (its generation state and, once complete, the CSV).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('user_sso_settings', 'text').execute();

  await db.schema
    .createTable('saml_providers')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text')
    .addColumn('authn_sign_algo', 'text')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_providers_pk', ['account_id', 'name_key'])
    .execute();

  await db.schema
    .createTable('oidc_providers')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('issuer_url', 'text', (c) => c.notNull())
    .addColumn('issuer_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('client_ids', 'text', (c) => c.notNull())
    .addColumn('fingerprints', 'text', (c) => c.notNull())
    .addColumn('issuance_limit_time', 'integer', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('update_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_providers_pk', ['account_id', 'name_key'])
    .addUniqueConstraint('oidc_providers_issuer', ['account_id', 'issuer_key'])
    .execute();

  await db.schema
    .createTable('credential_reports')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('accounts.account_id').onDelete('cascade'),
    )
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('generated_time', 'text')
    .addColumn('content', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('credential_reports').execute();
  await db.schema.dropTable('oidc_providers').execute();
  await db.schema.dropTable('saml_providers').execute();
  await db.schema.alterTable('accounts').dropColumn('user_sso_settings').execute();
}
