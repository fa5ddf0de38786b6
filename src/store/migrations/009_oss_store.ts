import { PostgresAdapter, sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Migrations are frozen in time: they see the database as `any`, not today's types.

/**
 * The OSS-compatible data plane's metadata. Object bytes live in files under the data
 * directory (src/oss/files.ts); these tables say which file holds which object.
 *
 * - `oss_buckets`: bucket names are unique in the deployment, as in the real service; the
 *   bucket policy is its JSON text (null when none).
 * - `oss_objects`: one row per visible object; `blob` names its file; `size` is a bigint
 *   (objects of several GB). `headers` is a JSON object of the stored response headers
 *   (Content-Type, Content-Disposition, x-oss-meta-*...).
 * - `oss_uploads` / `oss_parts`: multipart uploads in progress and their parts.
 *
 * Object keys are listed in byte order: on PostgreSQL the key columns use the "C"
 * collation (SQLite compares text by bytes already).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const keyCollation = postgres ? sql`collate "C"` : sql``;
  await db.schema
    .createTable('oss_buckets')
    .addColumn('bucket_name', 'text', (c) => c.primaryKey().modifyEnd(keyCollation))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('acl', 'text', (c) => c.notNull())
    .addColumn('storage_class', 'text', (c) => c.notNull())
    .addColumn('redundancy', 'text', (c) => c.notNull())
    .addColumn('policy', 'text')
    .addColumn('create_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oss_buckets_account').on('oss_buckets').columns(['account_id']).execute();
  await db.schema
    .createTable('oss_objects')
    .addColumn('bucket_name', 'text', (c) =>
      c.notNull().references('oss_buckets.bucket_name').onDelete('cascade').modifyEnd(keyCollation),
    )
    .addColumn('object_key', 'text', (c) => c.notNull().modifyEnd(keyCollation))
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('last_modified', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oss_objects_pk', ['bucket_name', 'object_key'])
    .execute();
  await db.schema
    .createTable('oss_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('bucket_name', 'text', (c) =>
      c.notNull().references('oss_buckets.bucket_name').onDelete('cascade').modifyEnd(keyCollation),
    )
    .addColumn('object_key', 'text', (c) => c.notNull().modifyEnd(keyCollation))
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('initiated', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('oss_uploads_bucket')
    .on('oss_uploads')
    .columns(['bucket_name', 'object_key'])
    .execute();
  await db.schema
    .createTable('oss_parts')
    .addColumn('upload_id', 'text', (c) =>
      c.notNull().references('oss_uploads.upload_id').onDelete('cascade'),
    )
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('last_modified', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oss_parts_pk', ['upload_id', 'part_number'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oss_parts').execute();
  await db.schema.dropTable('oss_uploads').execute();
  await db.schema.dropTable('oss_objects').execute();
  await db.schema.dropTable('oss_buckets').execute();
}
