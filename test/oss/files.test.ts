import { existsSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHED_BLOB_BYTES, createBlobFiles, type BlobFiles } from '../../src/oss/files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(cacheBytes?: number): { files: BlobFiles; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-blobs-'));
  dirs.push(dir);
  return { files: createBlobFiles(dir, cacheBytes), dir };
}

async function* chunks(...parts: Buffer[]): AsyncIterable<Buffer> {
  for (const p of parts) yield p;
}

const blobPath = (dir: string, blob: string) => join(dir, 'oss', 'blobs', blob.slice(0, 2), blob);

describe('blob files: small reads', () => {
  it('reads ranges of a small blob from memory once read, and forgets a removed blob', async () => {
    const { files: f, dir } = files();
    const bytes = Buffer.from('0123456789abcdef');
    const w = await f.write(chunks(bytes), { maxBytes: 1024 });
    expect(f.readSmall(w.blob, 0, 16, w.size).toString()).toBe('0123456789abcdef');
    // The file is gone behind the cache's back: the bytes still come from memory.
    expect(existsSync(blobPath(dir, w.blob))).toBe(true);
    unlinkSync(blobPath(dir, w.blob));
    expect(f.readSmall(w.blob, 4, 6, w.size).toString()).toBe('456789');
    // Removing the blob drops it from memory too.
    await f.remove([w.blob]);
    expect(() => f.readSmall(w.blob, 0, 4, w.size)).toThrow(/ENOENT/);
  });

  it('reads a blob larger than the cached size from its file every time', async () => {
    const { files: f, dir } = files();
    const big = Buffer.alloc(CACHED_BLOB_BYTES + 1, 7);
    const w = await f.write(chunks(big), { maxBytes: big.length });
    expect(f.readSmall(w.blob, 10, 5, w.size)).toEqual(Buffer.alloc(5, 7));
    unlinkSync(blobPath(dir, w.blob));
    expect(() => f.readSmall(w.blob, 10, 5, w.size)).toThrow(/ENOENT/);
  });

  it('holds at most its bound, the least recently used going first', async () => {
    const { files: f, dir } = files(2500);
    const written = [];
    for (let i = 0; i < 3; i++) {
      written.push(await f.write(chunks(Buffer.alloc(1000, i)), { maxBytes: 1000 }));
    }
    const [a, b, c] = written as [(typeof written)[0], (typeof written)[0], (typeof written)[0]];
    f.readSmall(a.blob, 0, 1, a.size);
    f.readSmall(b.blob, 0, 1, b.size);
    f.readSmall(a.blob, 0, 1, a.size); // a is now the most recent
    f.readSmall(c.blob, 0, 1, c.size); // 3000 bytes > 2500: b goes
    for (const w of written) unlinkSync(blobPath(dir, w.blob));
    expect(f.readSmall(a.blob, 0, 1, a.size)[0]).toBe(0);
    expect(f.readSmall(c.blob, 0, 1, c.size)[0]).toBe(2);
    expect(() => f.readSmall(b.blob, 0, 1, b.size)).toThrow(/ENOENT/);
  });
});

describe('blob files: the start-up sweep', () => {
  const HOUR = 60 * 60 * 1000;

  it('removes only what is an hour old: younger files may be another process’s writes', async () => {
    const { files: f, dir } = files();
    const named = await f.write(chunks(Buffer.from('named')), { maxBytes: 1024 });
    const oldOrphan = await f.write(chunks(Buffer.from('old orphan')), { maxBytes: 1024 });
    const newOrphan = await f.write(chunks(Buffer.from('new orphan')), { maxBytes: 1024 });
    const oldTemp = join(dir, 'oss', 'tmp', 'upload-old');
    const newTemp = join(dir, 'oss', 'tmp', 'upload-new');
    writeFileSync(oldTemp, 'partial');
    writeFileSync(newTemp, 'partial');
    const now = Date.now();
    const twoHoursAgo = new Date(now - 2 * HOUR);
    for (const p of [blobPath(dir, named.blob), blobPath(dir, oldOrphan.blob), oldTemp])
      utimesSync(p, twoHoursAgo, twoHoursAgo);

    const isKnown = (blob: string) => blob === named.blob;
    // With a database set aside by a restore: unreferenced blobs stay, old temporary files go.
    expect(await f.sweep(isKnown, { now, olderThanMs: HOUR, keepUnreferenced: true })).toEqual({
      temporary: 1,
      orphaned: 0,
    });
    expect(existsSync(oldTemp)).toBe(false);
    expect(existsSync(blobPath(dir, oldOrphan.blob))).toBe(true);

    expect(await f.sweep(isKnown, { now, olderThanMs: HOUR })).toEqual({ temporary: 0, orphaned: 1 });
    expect(existsSync(blobPath(dir, named.blob))).toBe(true);
    expect(existsSync(blobPath(dir, oldOrphan.blob))).toBe(false);
    // Written within the hour: kept, named or not.
    expect(existsSync(blobPath(dir, newOrphan.blob))).toBe(true);
    expect(existsSync(newTemp)).toBe(true);
  });
});
