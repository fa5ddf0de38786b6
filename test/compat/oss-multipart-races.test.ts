/**
 * CompleteMultipartUpload against what may happen to its upload meanwhile, through the
 * official ali-oss client against a real server process, on both stores: of racing Completes
 * and Aborts exactly one wins and the others are NoSuchUpload; a part uploaded again while
 * the parts are joined is InvalidPart or NoSuchUpload, never a 500; no file is left that no
 * row names. And x-oss-forbid-overwrite holds for a Complete as for PutObject.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { STORES, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

/** "ok<status>" or "<status>-<code>" for each settled call. */
const outcomes = (settled: PromiseSettledResult<{ res: { status: number } }>[]): string[] =>
  settled.map((r) =>
    r.status === 'fulfilled'
      ? `ok${r.value.res.status}`
      : `${(r.reason as { status: number }).status}-${(r.reason as { code: string }).code}`,
  );

/** The object files on disk, and the temporary ones. */
function filesOnDisk(server: TestServer): { blobs: number; tmp: number } {
  const root = join(server.dataDir, 'oss');
  let blobs = 0;
  for (const sub of readdirSync(join(root, 'blobs'))) blobs += readdirSync(join(root, 'blobs', sub)).length;
  return { blobs, tmp: readdirSync(join(root, 'tmp')).length };
}

describe.each(STORES)('OSS multipart completion races (%s)', (store) => {
  let server: TestServer;
  let c: Oss;
  let bucket: string;
  const big = Buffer.alloc(12 * 1024 * 1024, 'x');

  beforeAll(async () => {
    server = await startServer({ store });
    bucket = uniq('mpurace');
    c = ossClient(server, rootKeys(server), { bucket });
    await c.putBucket(bucket);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Every object's file is there, nothing else (no upload is left in progress). */
  async function noOrphans(): Promise<void> {
    const listed = (await c.list({ 'max-keys': 1000 })).objects ?? [];
    expect((await c.listUploads({})).uploads ?? []).toEqual([]);
    expect(filesOnDisk(server)).toEqual({ blobs: listed.length, tmp: 0 });
  }

  async function twoParts(key: string): Promise<{ id: string; parts: { number: number; etag: string }[] }> {
    const id = (await c.initMultipartUpload(key)).uploadId as string;
    const p1 = (await c.uploadPart(key, id, 1, big, 0, big.length)).etag as string;
    const p2 = (await c.uploadPart(key, id, 2, Buffer.from('second'), 0, 6)).etag as string;
    return {
      id,
      parts: [
        { number: 1, etag: p1 },
        { number: 2, etag: p2 },
      ],
    };
  }

  it('Complete racing Abort: exactly one wins, the other is NoSuchUpload', async () => {
    for (let round = 0; round < 4; round++) {
      const key = `abort-${round}`;
      const { id, parts } = await twoParts(key);
      const got = outcomes(
        await Promise.allSettled([
          c.completeMultipartUpload(key, id, parts),
          c.abortMultipartUpload(key, id),
        ]),
      );
      expect([
        ['ok200', '404-NoSuchUpload'],
        ['404-NoSuchUpload', 'ok204'],
      ]).toContainEqual(got);
      if (got[0] === 'ok200')
        expect((await c.head(key)).res.headers['content-length']).toBe(String(big.length + 6));
      else expect((await ossFailure(c.head(key))).status).toBe(404);
    }
    await noOrphans();
  });

  it('three concurrent Completes of one upload: one 200, two NoSuchUpload', async () => {
    for (let round = 0; round < 3; round++) {
      const key = `triple-${round}`;
      const { id, parts } = await twoParts(key);
      const got = outcomes(
        await Promise.allSettled([1, 2, 3].map(() => c.completeMultipartUpload(key, id, parts))),
      );
      expect(got.filter((o) => o === 'ok200')).toHaveLength(1);
      expect(got.filter((o) => o === '404-NoSuchUpload')).toHaveLength(2);
      expect((await c.get(key)).content.length).toBe(big.length + 6);
    }
    await noOrphans();
  });

  it('Complete racing a new upload of a listed part: InvalidPart or NoSuchUpload, never a 500', async () => {
    for (let round = 0; round < 4; round++) {
      const key = `reupload-${round}`;
      const { id, parts } = await twoParts(key);
      const complete = c.completeMultipartUpload(key, id, parts);
      await new Promise((r) => setTimeout(r, 5 + round * 5));
      const reupload = c.uploadPart(key, id, 2, Buffer.from('SECOND'), 0, 6);
      const got = outcomes(await Promise.allSettled([complete, reupload]));
      expect([
        ['ok200', '404-NoSuchUpload'],
        ['400-InvalidPart', 'ok200'],
      ]).toContainEqual(got);
      if (got[0] === 'ok200') {
        expect((await c.get(key)).content.subarray(-6).toString()).toBe('second');
      } else {
        // The upload is still there, with the new part 2; abort it.
        await c.abortMultipartUpload(key, id);
      }
    }
    await noOrphans();
  });

  it('honours x-oss-forbid-overwrite: FileAlreadyExists, the object and the upload kept', async () => {
    const key = 'forbid.bin';
    await c.put(key, Buffer.from('original'));
    const { id, parts } = await twoParts(key);
    const f = await ossFailure(
      c.completeMultipartUpload(key, id, parts, { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    );
    expect([f.status, f.code]).toEqual([409, 'FileAlreadyExists']);
    expect((await c.get(key)).content.toString()).toBe('original');
    // Still in progress: completing it without the header replaces the object.
    expect((await c.completeMultipartUpload(key, id, parts)).res.status).toBe(200);
    expect((await c.get(key)).content.length).toBe(big.length + 6);
    // A new key is written with the header too.
    const fresh = await twoParts('forbid-new.bin');
    await c.completeMultipartUpload('forbid-new.bin', fresh.id, fresh.parts, {
      headers: { 'x-oss-forbid-overwrite': 'true' },
    });
    expect((await c.head('forbid-new.bin')).res.status).toBe(200);
    await noOrphans();
  });
});
