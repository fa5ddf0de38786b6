import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * WebAuthn security keys and passkeys (docs/console.md), usable as the logon's MFA step:
 * - `webauthn_credentials`: one row per registered credential of the root (`user_id` null) or
 *   of a RAM user; the public key (COSE, base64url), the signature counter, transports (JSON);
 * - `webauthn_challenges`: the challenge of a registration or an authentication in progress,
 *   keyed by the SHA-256 of the session id or the step token it belongs to, used once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('credential_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_count', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('create_date', 'text', (c) => c.notNull())
    .addColumn('last_used_date', 'text')
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_owner')
    .on('webauthn_credentials')
    .columns(['account_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('webauthn_credentials').execute();
}
