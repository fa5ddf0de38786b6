/**
 * Object bytes on disk. Every object (and every multipart part) is one immutable file, a
 * "blob", named by a random id under `<data>/oss/blobs/<2 hex>/<id>`. A write streams into
 * `<data>/oss/tmp/<id>`, is fsynced, renamed into place and its directory fsynced; only then
 * does the metadata row that names it get written (one transaction). A crash at any point
 * leaves at worst a temporary file or an unnamed blob, never a visible half object; both
 * are removed at a later start once an hour old (sweep(): younger ones may be another
 * process's writes in progress).
 *
 * A blob is never rewritten: an overwrite writes a new blob and removes the old one after
 * the row changed, so a reader that opened the old file keeps reading whole bytes.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface WrittenBlob {
  readonly blob: string;
  readonly size: number;
  /** MD5 of the bytes, hex lower case. */
  readonly md5: string;
  /** SHA-256 of the bytes, hex lower case, when asked for. */
  readonly sha256?: string;
}

export interface WriteOptions {
  /** Refuse (BlobTooLargeError) once more than this many bytes arrived. */
  readonly maxBytes: number;
  readonly sha256?: boolean;
}

export class BlobTooLargeError extends Error {
  constructor() {
    super('the body is larger than allowed');
    this.name = 'BlobTooLargeError';
  }
}

const BLOB_ID = /^[0-9a-f]{32}$/;

/** Blobs up to this size are kept in memory once read (readSmall). */
export const CACHED_BLOB_BYTES = 64 * 1024;
/** The most bytes the blob cache holds (by default). */
export const CACHE_BYTES = 32 * 1024 * 1024;

export interface BlobFiles {
  readonly root: string;
  /** Streams source into a new durable blob; nothing is left behind when it fails. */
  write(source: AsyncIterable<Buffer>, opts: WriteOptions): Promise<WrittenBlob>;
  /** Concatenates blobs into a new durable blob (multipart completion). */
  concat(blobs: readonly string[]): Promise<WrittenBlob>;
  /** Opens a blob for reading; the handle keeps the bytes even if the blob is removed meanwhile. */
  open(blob: string): Promise<FileHandle>;
  /**
   * Reads `length` bytes from `start` at once, synchronously: for small ranges (a few
   * microseconds from the page cache) three thread-pool round trips cost more than the read.
   * A whole blob of at most CACHED_BLOB_BYTES (`blobSize`, from its record) is kept in memory
   * (least recently used out first, CACHE_BYTES in all): blobs never change, so a cached one
   * is always right, and a removed one is dropped.
   */
  readSmall(blob: string, start: number, length: number, blobSize: number): Buffer;
  /** Removes blobs; missing ones are ignored. */
  remove(blobs: readonly string[]): Promise<void>;
  /**
   * Startup: removes temporary files, and blobs that `isKnown` does not name, untouched for at
   * least `opts.olderThanMs` before `opts.now`: another process on the same folder may be
   * writing a file, or about to commit the row that names it. With `keepUnreferenced`, only
   * temporary files go.
   */
  sweep(
    isKnown: (blob: string) => boolean,
    opts: { readonly now: number; readonly olderThanMs: number; readonly keepUnreferenced?: boolean },
  ): Promise<{ temporary: number; orphaned: number }>;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function createBlobFiles(dataDir: string, cacheBytes = CACHE_BYTES): BlobFiles {
  const root = join(dataDir, 'oss');
  const tmpDir = join(root, 'tmp');
  const blobDir = join(root, 'blobs');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  mkdirSync(blobDir, { recursive: true, mode: 0o700 });

  const pathOf = (blob: string): string => {
    if (!BLOB_ID.test(blob)) throw new Error('not a blob id');
    return join(blobDir, blob.slice(0, 2), blob);
  };

  async function durable(
    fill: (fh: FileHandle, md5: Hash, sha: Hash | undefined) => Promise<number>,
    withSha: boolean,
  ): Promise<WrittenBlob> {
    const blob = randomBytes(16).toString('hex');
    const tmp = join(tmpDir, blob);
    const fh = await open(tmp, 'wx', 0o600);
    let done = false;
    try {
      const md5 = createHash('md5');
      const sha = withSha ? createHash('sha256') : undefined;
      const size = await fill(fh, md5, sha);
      await fh.sync();
      await fh.close();
      done = true;
      const dir = join(blobDir, blob.slice(0, 2));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await rename(tmp, join(dir, blob));
      await syncDir(dir);
      return { blob, size, md5: md5.digest('hex'), ...(sha ? { sha256: sha.digest('hex') } : {}) };
    } catch (err) {
      if (!done) await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  const cache = new Map<string, Buffer>();
  let cachedBytes = 0;

  function readRange(blob: string, start: number, length: number): Buffer {
    const fd = openSync(pathOf(blob), 'r');
    try {
      // Not from the shared pool: a cached buffer must not hold a pool slab alive.
      const buf = Buffer.allocUnsafeSlow(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, start + done);
        if (n === 0) throw new Error('the object file is shorter than its record');
        done += n;
      }
      return buf;
    } finally {
      closeSync(fd);
    }
  }

  return {
    root,
    write(source, opts) {
      return durable(async (fh, md5, sha) => {
        let size = 0;
        for await (const chunk of source) {
          size += chunk.length;
          if (size > opts.maxBytes) throw new BlobTooLargeError();
          md5.update(chunk);
          sha?.update(chunk);
          await fh.write(chunk);
        }
        return size;
      }, opts.sha256 === true);
    },
    concat(blobs) {
      return durable(async (fh, md5) => {
        let size = 0;
        const buf = Buffer.allocUnsafe(1024 * 1024);
        for (const b of blobs) {
          const src = await open(pathOf(b), 'r');
          try {
            for (;;) {
              const { bytesRead } = await src.read(buf, 0, buf.length, null);
              if (bytesRead === 0) break;
              const chunk = buf.subarray(0, bytesRead);
              md5.update(chunk);
              await fh.write(chunk);
              size += bytesRead;
            }
          } finally {
            await src.close();
          }
        }
        return size;
      }, false);
    },
    open: (blob) => open(pathOf(blob), 'r'),
    readSmall(blob, start, length, blobSize) {
      const cached = cache.get(blob);
      if (cached) {
        // The most recently used goes last.
        cache.delete(blob);
        cache.set(blob, cached);
        return cached.subarray(start, start + length);
      }
      if (blobSize > CACHED_BLOB_BYTES) return readRange(blob, start, length);
      const whole = readRange(blob, 0, blobSize);
      cache.set(blob, whole);
      cachedBytes += whole.length;
      for (const [b, bytes] of cache) {
        if (cachedBytes <= cacheBytes) break;
        cache.delete(b);
        cachedBytes -= bytes.length;
      }
      return whole.subarray(start, start + length);
    },
    async remove(blobs) {
      for (const b of blobs) {
        const cached = cache.get(b);
        if (cached) {
          cache.delete(b);
          cachedBytes -= cached.length;
        }
        await unlink(pathOf(b)).catch(() => undefined);
      }
    },
    async sweep(isKnown, opts) {
      let temporary = 0;
      let orphaned = 0;
      /** Untouched long enough to belong to no write in progress (gone meanwhile: nothing to do). */
      const stale = async (path: string): Promise<boolean> => {
        const st = await stat(path).catch(() => undefined);
        return st !== undefined && st.mtimeMs <= opts.now - opts.olderThanMs;
      };
      for (const name of await readdir(tmpDir)) {
        if (!(await stale(join(tmpDir, name)))) continue;
        await rm(join(tmpDir, name), { force: true, recursive: true });
        temporary++;
      }
      if (opts.keepUnreferenced) return { temporary, orphaned };
      for (const sub of await readdir(blobDir)) {
        const dir = join(blobDir, sub);
        if (!(await stat(dir)).isDirectory()) continue;
        for (const name of await readdir(dir)) {
          if (BLOB_ID.test(name) && isKnown(name)) continue;
          if (!(await stale(join(dir, name)))) continue;
          await rm(join(dir, name), { force: true });
          orphaned++;
        }
      }
      return { temporary, orphaned };
    },
  };
}
