/**
 * The metadata of the data plane in the store: buckets, objects, multipart uploads. No HTTP
 * here; the handlers (src/oss/handlers.ts) call these and answer.
 */
import { hotQuery, type Store, type Tx } from '../store/index.js';
import { isUniqueViolation } from '../store/errors.js';
import { noSuchBucket, ossError } from './errors.js';

export interface Bucket {
  readonly name: string;
  readonly accountId: string;
  readonly acl: string;
  readonly storageClass: string;
  readonly redundancy: string;
  readonly policy: string | null;
  readonly createDate: string;
}

/** What tells one bucket from another of the same name made after it was deleted. */
export type BucketIdentity = Pick<Bucket, 'name' | 'accountId' | 'createDate'>;

export interface ObjectRecord {
  readonly key: string;
  readonly blob: string;
  readonly size: number;
  /** Upper-case hex, without quotes. */
  readonly etag: string;
  readonly type: 'Normal' | 'Multipart';
  readonly headers: Readonly<Record<string, string>>;
  readonly lastModified: string;
}

export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly initiated: string;
}

export interface UploadQuery {
  readonly prefix: string;
  /** '' for none: uploads whose keys share a prefix up to it are rolled up. */
  readonly delimiter: string;
  /** '' for none. After (keyMarker, uploadIdMarker); with no uploadIdMarker, after every upload of keyMarker. */
  readonly keyMarker: string;
  readonly uploadIdMarker: string;
  readonly max: number;
}

export interface UploadPage {
  readonly uploads: readonly UploadRecord[];
  readonly prefixes: readonly string[];
  readonly truncated: boolean;
  /** The markers of the next page, when truncated. */
  readonly nextKey?: string;
  readonly nextUploadId?: string;
}

export interface PartRecord {
  readonly partNumber: number;
  readonly blob: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
}

export interface Listing {
  readonly objects: readonly ObjectRecord[];
  readonly prefixes: readonly string[];
  readonly truncated: boolean;
  /** The last key or common prefix returned, when truncated. */
  readonly next?: string;
}

/** Buckets one account may own, as the real service's default. */
export const MAX_BUCKETS_PER_ACCOUNT = 100;

/** The bucket and, when asked, one of its objects: one read on the object path. */
const BUCKET_AND_OBJECT = hotQuery(
  'oss_bucket_object',
  `select b.bucket_name, b.account_id, b.acl, b.storage_class, b.redundancy, b.policy, b.create_date,
          o.object_key, o.blob, o.size, o.etag, o.object_type, o.headers, o.last_modified
     from oss_buckets b
     left join oss_objects o on o.bucket_name = b.bucket_name and o.object_key = ?
    where b.bucket_name = ?`,
);

interface BucketRow {
  bucket_name: string;
  account_id: string;
  acl: string;
  storage_class: string;
  redundancy: string;
  policy: string | null;
  create_date: string;
}

interface ObjectRow {
  object_key: string;
  blob: string;
  size: number | string;
  etag: string;
  object_type: string;
  headers: string;
  last_modified: string;
}

const bucketOf = (r: BucketRow): Bucket => ({
  name: r.bucket_name,
  accountId: r.account_id,
  acl: r.acl,
  storageClass: r.storage_class,
  redundancy: r.redundancy,
  policy: r.policy,
  createDate: r.create_date,
});

const objectOf = (r: ObjectRow): ObjectRecord => ({
  key: r.object_key,
  blob: r.blob,
  size: Number(r.size),
  etag: r.etag,
  type: r.object_type === 'Multipart' ? 'Multipart' : 'Normal',
  headers: JSON.parse(r.headers) as Record<string, string>,
  lastModified: r.last_modified,
});

/**
 * The least string above every string that starts with `prefix`, in code point order (UTF-8
 * byte order, the keys' order): the prefix with its last code point raised by one, trailing
 * U+10FFFF dropped first. Undefined when there is none (a prefix of U+10FFFF only). Unlike
 * `prefix + U+10FFFF` it is above keys that hold U+10FFFF right after the prefix too.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const cp = points.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) return points.join('') + String.fromCodePoint(cp === 0xd7ff ? 0xe000 : cp + 1);
  }
  return undefined;
}

export interface Catalog {
  /** The bucket and (with a key) the object, in one read; undefined when the bucket does not exist. */
  find(bucket: string, key?: string): Promise<{ bucket: Bucket; object?: ObjectRecord } | undefined>;
  listBuckets(
    accountId: string,
    prefix: string,
    marker: string,
    max: number,
  ): Promise<{ buckets: Bucket[]; truncated: boolean }>;
  createBucket(b: Omit<Bucket, 'policy'>): Promise<void>;
  /** Deletes an empty bucket: NoSuchBucket, or BucketNotEmpty while objects or uploads remain. */
  deleteBucket(name: string): Promise<void>;
  setPolicy(bucket: string, policy: string | null): Promise<void>;
  setAcl(bucket: string, acl: string): Promise<void>;
  /** Uploads in progress, ordered by key then upload id, after the markers. */
  listUploads(bucket: string, q: UploadQuery): Promise<UploadPage>;
  /**
   * Makes an object visible (new or replacing one); returns the blob it replaced. With
   * forbidOverwrite, FileAlreadyExists when the key exists. The object goes into the bucket
   * that was authorized: the bucket of that name, owner and creation still (NoSuchBucket when
   * it was deleted, or deleted and made again, meanwhile).
   */
  putObject(bucket: BucketIdentity, o: ObjectRecord, forbidOverwrite?: boolean): Promise<string | undefined>;
  /** Removes objects; returns the keys that existed and their blobs. */
  deleteObjects(bucket: string, keys: readonly string[]): Promise<{ key: string; blob: string }[]>;
  list(bucket: string, prefix: string, after: string, delimiter: string, max: number): Promise<Listing>;
  createUpload(u: UploadRecord): Promise<void>;
  findUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Records a part (replacing one of the same number); returns the replaced blob. */
  putPart(uploadId: string, p: PartRecord): Promise<string | undefined>;
  listParts(uploadId: string): Promise<PartRecord[]>;
  /**
   * Ends an upload (AbortMultipartUpload): its part rows and its row go, in one transaction;
   * returns their blobs, or undefined when the upload was no longer there (a Complete or
   * another Abort ended it first).
   */
  endUpload(uploadId: string): Promise<string[] | undefined>;
  /**
   * CompleteMultipartUpload's commit, in one transaction: the upload is still there (else
   * `gone`), its parts are still the blobs the object was joined from (else `changed`: a part
   * was uploaded again meanwhile), then the object goes in as putObject does (forbidOverwrite
   * included: FileAlreadyExists, the upload kept) and the upload ends. Returns the blobs no row
   * names any more: every part's, and the replaced object's.
   */
  completeUpload(
    bucket: BucketIdentity,
    uploadId: string,
    used: readonly Pick<PartRecord, 'partNumber' | 'blob'>[],
    o: ObjectRecord,
    forbidOverwrite: boolean,
  ): Promise<{ outcome: 'gone' | 'changed' } | { outcome: 'done'; unused: string[] }>;
  /** Every blob a row names (startup sweep). */
  knownBlobs(): Promise<Set<string>>;
  readonly store: Store;
}

export function createCatalog(store: Store): Catalog {
  const db = store.db;

  /**
   * Locks the upload's row until the transaction ends (PostgreSQL; SQLite write transactions
   * are serial anyway): a Complete, an Abort and an UploadPart of one upload take their turns.
   */
  async function lockUpload(tx: Tx, uploadId: string, mode: 'share' | 'update'): Promise<boolean> {
    let q = tx.selectFrom('oss_uploads').select('upload_id').where('upload_id', '=', uploadId);
    if (store.dialect === 'postgres') q = mode === 'update' ? q.forUpdate() : q.forShare();
    return (await q.executeTakeFirst()) !== undefined;
  }

  async function dropUpload(tx: Tx, uploadId: string): Promise<string[]> {
    const parts = await tx
      .deleteFrom('oss_parts')
      .where('upload_id', '=', uploadId)
      .returning('blob')
      .execute();
    await tx.deleteFrom('oss_uploads').where('upload_id', '=', uploadId).execute();
    return parts.map((p) => p.blob);
  }

  /** putObject's rows, inside a transaction the caller holds. */
  async function putObjectIn(
    tx: Tx,
    expected: BucketIdentity,
    o: ObjectRecord,
    forbidOverwrite: boolean | undefined,
  ): Promise<string | undefined> {
    const bucket = expected.name;
    // The bytes may have streamed for long after the bucket was authorized: it must still be
    // that bucket, not another account's made under the same name meanwhile. On PostgreSQL
    // the row is locked until the object is in, so a DeleteBucket waits for it.
    let held = tx
      .selectFrom('oss_buckets')
      .select(['account_id', 'create_date'])
      .where('bucket_name', '=', bucket);
    if (store.dialect === 'postgres') held = held.forShare();
    const row = await held.executeTakeFirst();
    if (!row || row.account_id !== expected.accountId || row.create_date !== expected.createDate)
      throw noSuchBucket(bucket);
    let old = tx
      .selectFrom('oss_objects')
      .select('blob')
      .where('bucket_name', '=', bucket)
      .where('object_key', '=', o.key);
    if (store.dialect === 'postgres') old = old.forUpdate();
    const existing = await old.executeTakeFirst();
    if (existing && forbidOverwrite) {
      throw ossError(
        'FileAlreadyExists',
        'The object you specified already exists and can not be overwritten.',
      );
    }
    const values = {
      blob: o.blob,
      size: o.size,
      etag: o.etag,
      object_type: o.type,
      headers: JSON.stringify(o.headers),
      last_modified: o.lastModified,
    };
    try {
      await tx
        .insertInto('oss_objects')
        .values({ bucket_name: bucket, object_key: o.key, ...values })
        .onConflict((c) => c.columns(['bucket_name', 'object_key']).doUpdateSet(values))
        .execute();
    } catch (err) {
      // The bucket went away while the bytes were arriving.
      if (/foreign key/i.test((err as Error).message)) throw noSuchBucket(bucket);
      throw err;
    }
    return existing?.blob;
  }

  return {
    store,
    async find(bucket, key) {
      const row = await store.first<BucketRow & Partial<ObjectRow>>(BUCKET_AND_OBJECT, [key ?? '', bucket]);
      if (!row) return undefined;
      const b = bucketOf(row);
      return row.object_key !== null && row.object_key !== undefined && key !== undefined
        ? { bucket: b, object: objectOf(row as ObjectRow) }
        : { bucket: b };
    },
    async listBuckets(accountId, prefix, marker, max) {
      let q = db
        .selectFrom('oss_buckets')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('bucket_name', '>', marker)
        .orderBy('bucket_name')
        .limit(max + 1);
      const end = prefix ? prefixEnd(prefix) : undefined;
      if (prefix) q = q.where('bucket_name', '>=', prefix);
      if (end !== undefined) q = q.where('bucket_name', '<', end);
      const rows = await q.execute();
      return { buckets: rows.slice(0, max).map(bucketOf), truncated: rows.length > max };
    },
    async createBucket(b) {
      try {
        await store.transaction(async (tx) => {
          const owned = await tx
            .selectFrom('oss_buckets')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('account_id', '=', b.accountId)
            .executeTakeFirstOrThrow();
          if (Number(owned.n) >= MAX_BUCKETS_PER_ACCOUNT) {
            throw ossError(
              'TooManyBuckets',
              `You have attempted to create more buckets than allowed (${MAX_BUCKETS_PER_ACCOUNT}).`,
            );
          }
          await tx
            .insertInto('oss_buckets')
            .values({
              bucket_name: b.name,
              account_id: b.accountId,
              acl: b.acl,
              storage_class: b.storageClass,
              redundancy: b.redundancy,
              policy: null,
              create_date: b.createDate,
            })
            .execute();
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw ossError('BucketAlreadyExists', 'The requested bucket name is not available.', {
            BucketName: b.name,
          });
        }
        throw err;
      }
    },
    async deleteBucket(name) {
      await store.transaction(async (tx) => {
        const b = await tx
          .selectFrom('oss_buckets')
          .select('bucket_name')
          .where('bucket_name', '=', name)
          .executeTakeFirst();
        if (!b) throw noSuchBucket(name);
        const obj = await tx
          .selectFrom('oss_objects')
          .select('object_key')
          .where('bucket_name', '=', name)
          .limit(1)
          .executeTakeFirst();
        const up = await tx
          .selectFrom('oss_uploads')
          .select('upload_id')
          .where('bucket_name', '=', name)
          .limit(1)
          .executeTakeFirst();
        if (obj || up) {
          throw ossError('BucketNotEmpty', 'The bucket you tried to delete is not empty.', {
            BucketName: name,
          });
        }
        await tx.deleteFrom('oss_buckets').where('bucket_name', '=', name).execute();
      });
    },
    async setAcl(bucket, acl) {
      const r = await db
        .updateTable('oss_buckets')
        .set({ acl })
        .where('bucket_name', '=', bucket)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw noSuchBucket(bucket);
    },
    async listUploads(bucket, q) {
      const uploads: UploadRecord[] = [];
      const prefixes: string[] = [];
      const done = (truncated: boolean): UploadPage => {
        if (!truncated) return { uploads, prefixes, truncated };
        const lastUpload = uploads[uploads.length - 1];
        const lastPrefix = prefixes[prefixes.length - 1];
        return lastPrefix !== undefined && (!lastUpload || lastPrefix > lastUpload.key)
          ? { uploads, prefixes, truncated, nextKey: lastPrefix, nextUploadId: '' }
          : { uploads, prefixes, truncated, nextKey: lastUpload!.key, nextUploadId: lastUpload!.uploadId };
      };
      let key = q.keyMarker;
      let id = q.uploadIdMarker;
      // Past every upload under a common prefix: from the key above all of its keys, inclusive.
      let inclusive = false;
      const pastPrefix = (common: string): boolean => {
        const end = prefixEnd(common);
        if (end === undefined) return false;
        key = end;
        id = '';
        inclusive = true;
        return true;
      };
      // A marker that is a common prefix of the previous page skips everything under it.
      if (
        q.delimiter !== '' &&
        id === '' &&
        key.startsWith(q.prefix) &&
        key.endsWith(q.delimiter) &&
        key !== ''
      ) {
        if (!pastPrefix(key)) return done(false);
      }
      const batchSize = Math.min(q.max + 1, 1000);
      for (;;) {
        const after = { key, id, inclusive };
        const batch = await db
          .selectFrom('oss_uploads')
          .selectAll()
          .where('bucket_name', '=', bucket)
          .where((eb) =>
            after.key === ''
              ? eb.lit(true)
              : after.id === ''
                ? eb('object_key', after.inclusive ? '>=' : '>', after.key)
                : eb.or([
                    eb('object_key', '>', after.key),
                    eb.and([eb('object_key', '=', after.key), eb('upload_id', '>', after.id)]),
                  ]),
          )
          .$if(q.prefix !== '', (qb) => qb.where('object_key', '>=', q.prefix))
          .orderBy('object_key')
          .orderBy('upload_id')
          .limit(batchSize)
          .execute();
        let jumped = false;
        for (const r of batch) {
          if (!r.object_key.startsWith(q.prefix)) return done(false);
          if (uploads.length + prefixes.length === q.max) return done(true);
          const rest = r.object_key.slice(q.prefix.length);
          const cut = q.delimiter === '' ? -1 : rest.indexOf(q.delimiter);
          if (cut >= 0) {
            prefixes.push(q.prefix + rest.slice(0, cut + q.delimiter.length));
            if (!pastPrefix(prefixes[prefixes.length - 1]!)) return done(false);
            jumped = true;
            break;
          }
          uploads.push({
            uploadId: r.upload_id,
            bucket: r.bucket_name,
            key: r.object_key,
            headers: JSON.parse(r.headers) as Record<string, string>,
            initiated: r.initiated,
          });
          key = r.object_key;
          id = r.upload_id;
          inclusive = false;
        }
        if (!jumped && batch.length < batchSize) return done(false);
      }
    },
    async setPolicy(bucket, policy) {
      const r = await db
        .updateTable('oss_buckets')
        .set({ policy })
        .where('bucket_name', '=', bucket)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw noSuchBucket(bucket);
    },
    async putObject(expected, o, forbidOverwrite) {
      return store.transaction((tx) => putObjectIn(tx, expected, o, forbidOverwrite));
    },
    async deleteObjects(bucket, keys) {
      if (keys.length === 0) return [];
      return store.transaction(async (tx) => {
        const rows = await tx
          .deleteFrom('oss_objects')
          .where('bucket_name', '=', bucket)
          .where('object_key', 'in', keys)
          .returning(['object_key', 'blob'])
          .execute();
        return rows.map((r) => ({ key: r.object_key, blob: r.blob }));
      });
    },
    async list(bucket, prefix, after, delimiter, max) {
      const objects: ObjectRecord[] = [];
      const prefixes: string[] = [];
      const rollUp = (key: string): string | undefined => {
        if (!delimiter || !key.startsWith(prefix)) return undefined;
        const cut = key.indexOf(delimiter, prefix.length);
        return cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
      };
      // Where the next batch starts: after a key, or at the end of a common prefix.
      let cursor: { key: string; inclusive: boolean } = { key: after, inclusive: false };
      // A marker inside a common prefix: that prefix was answered on an earlier page.
      const markerPrefix = rollUp(after);
      if (markerPrefix !== undefined) {
        const end = prefixEnd(markerPrefix);
        if (end === undefined) return { objects, prefixes, truncated: false };
        cursor = { key: end, inclusive: true };
      }
      const upTo = prefix ? prefixEnd(prefix) : undefined;
      let last: string | undefined;
      const page = Math.min(1000, max + 1);
      for (;;) {
        let q = db
          .selectFrom('oss_objects')
          .select(['object_key', 'blob', 'size', 'etag', 'object_type', 'headers', 'last_modified'])
          .where('bucket_name', '=', bucket)
          .where('object_key', cursor.inclusive ? '>=' : '>', cursor.key)
          .orderBy('object_key')
          .limit(page);
        if (prefix) q = q.where('object_key', '>=', prefix);
        if (upTo !== undefined) q = q.where('object_key', '<', upTo);
        const rows = await q.execute();
        let skipped = false;
        for (const r of rows) {
          if (!r.object_key.startsWith(prefix)) return { objects, prefixes, truncated: false };
          if (objects.length + prefixes.length === max) {
            return { objects, prefixes, truncated: true, ...(last !== undefined ? { next: last } : {}) };
          }
          const common = rollUp(r.object_key);
          if (common !== undefined) {
            prefixes.push(common);
            last = common;
            const end = prefixEnd(common);
            if (end === undefined) return { objects, prefixes, truncated: false };
            cursor = { key: end, inclusive: true };
            skipped = true;
            break;
          }
          objects.push(objectOf(r));
          last = r.object_key;
          cursor = { key: r.object_key, inclusive: false };
        }
        if (!skipped && rows.length < page) return { objects, prefixes, truncated: false };
      }
    },
    async createUpload(u) {
      try {
        await db
          .insertInto('oss_uploads')
          .values({
            upload_id: u.uploadId,
            bucket_name: u.bucket,
            object_key: u.key,
            headers: JSON.stringify(u.headers),
            initiated: u.initiated,
          })
          .execute();
      } catch (err) {
        if (/foreign key/i.test((err as Error).message)) throw noSuchBucket(u.bucket);
        throw err;
      }
    },
    async findUpload(bucket, key, uploadId) {
      const r = await db
        .selectFrom('oss_uploads')
        .selectAll()
        .where('upload_id', '=', uploadId)
        .where('bucket_name', '=', bucket)
        .where('object_key', '=', key)
        .executeTakeFirst();
      return r
        ? {
            uploadId: r.upload_id,
            bucket: r.bucket_name,
            key: r.object_key,
            headers: JSON.parse(r.headers) as Record<string, string>,
            initiated: r.initiated,
          }
        : undefined;
    },
    async putPart(uploadId, p) {
      return store
        .transaction(async (tx) => {
          // Held until the part is in: a Complete or Abort of the upload waits, or went first.
          if (!(await lockUpload(tx, uploadId, 'share'))) return { gone: true as const };
          let old = tx
            .selectFrom('oss_parts')
            .select('blob')
            .where('upload_id', '=', uploadId)
            .where('part_number', '=', p.partNumber);
          if (store.dialect === 'postgres') old = old.forUpdate();
          const existing = await old.executeTakeFirst();
          const values = { blob: p.blob, size: p.size, etag: p.etag, last_modified: p.lastModified };
          await tx
            .insertInto('oss_parts')
            .values({ upload_id: uploadId, part_number: p.partNumber, ...values })
            .onConflict((c) => c.columns(['upload_id', 'part_number']).doUpdateSet(values))
            .execute();
          return { gone: false as const, old: existing?.blob };
        })
        .then((r) => {
          if (r.gone) throw ossError('NoSuchUpload', 'The specified upload does not exist.');
          return r.old;
        });
    },
    async listParts(uploadId) {
      const rows = await db
        .selectFrom('oss_parts')
        .selectAll()
        .where('upload_id', '=', uploadId)
        .orderBy('part_number')
        .execute();
      return rows.map((r) => ({
        partNumber: Number(r.part_number),
        blob: r.blob,
        size: Number(r.size),
        etag: r.etag,
        lastModified: r.last_modified,
      }));
    },
    async endUpload(uploadId) {
      return store.transaction(async (tx) =>
        (await lockUpload(tx, uploadId, 'update')) ? dropUpload(tx, uploadId) : undefined,
      );
    },
    async completeUpload(bucket, uploadId, used, o, forbidOverwrite) {
      return store.transaction(async (tx) => {
        if (!(await lockUpload(tx, uploadId, 'update'))) return { outcome: 'gone' as const };
        const rows = await tx
          .selectFrom('oss_parts')
          .select(['part_number', 'blob'])
          .where('upload_id', '=', uploadId)
          .execute();
        const now = new Map(rows.map((r) => [Number(r.part_number), r.blob]));
        if (used.some((p) => now.get(p.partNumber) !== p.blob)) return { outcome: 'changed' as const };
        const old = await putObjectIn(tx, bucket, o, forbidOverwrite);
        const parts = await dropUpload(tx, uploadId);
        return { outcome: 'done' as const, unused: [...parts, ...(old ? [old] : [])] };
      });
    },
    async knownBlobs() {
      const a = await db.selectFrom('oss_objects').select('blob').execute();
      const b = await db.selectFrom('oss_parts').select('blob').execute();
      return new Set([...a, ...b].map((r) => r.blob));
    },
  };
}
