/** The metadata catalogue of the data plane on both stores: listing order, roll-up, paging, buckets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../src/oss/catalog.js';
import { OssError } from '../../src/oss/errors.js';
import type { Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { bareAccount } from '../store/store.suite.js';

const ACCOUNT = '1234567890123456';

describe.each(backends.filter((b) => b.available))('OSS catalog ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let catalog: Catalog;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    await store.db.insertInto('accounts').values(bareAccount(ACCOUNT, '2026-01-01T00:00:00Z')).execute();
    catalog = createCatalog(store);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const object = (key: string) => ({
    key,
    blob: 'b'.repeat(32),
    size: key.length,
    etag: 'E',
    type: 'Normal' as const,
    headers: {},
    lastModified: '2026-01-01T00:00:00.000Z',
  });

  it('lists in byte order with roll-up, markers and limits', async () => {
    await catalog.createBucket({
      name: 'list-bucket',
      accountId: ACCOUNT,
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createDate: '2026-01-01T00:00:00.000Z',
    });
    const keys = ['B', 'a', 'a/1', 'a/2', 'a/b/c', 'b/x', 'c', 'é', 'Z', 'a~'];
    const listBucket = { name: 'list-bucket', accountId: ACCOUNT, createDate: '2026-01-01T00:00:00.000Z' };
    for (const k of keys) await catalog.putObject(listBucket, object(k));
    const all = await catalog.list('list-bucket', '', '', '', 1000);
    // Byte order: upper case before lower case, 'é' (0xC3...) last.
    expect(all.objects.map((o) => o.key)).toEqual(
      [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
    expect(all.truncated).toBe(false);

    const top = await catalog.list('list-bucket', '', '', '/', 1000);
    expect(top.objects.map((o) => o.key)).toEqual(['B', 'Z', 'a', 'a~', 'c', 'é']);
    expect(top.prefixes).toEqual(['a/', 'b/']);

    const page1 = await catalog.list('list-bucket', '', '', '/', 3);
    expect([page1.objects.map((o) => o.key), page1.prefixes, page1.truncated, page1.next]).toEqual([
      ['B', 'Z', 'a'],
      [],
      true,
      'a',
    ]);
    const page2 = await catalog.list('list-bucket', '', page1.next!, '/', 1);
    expect([page2.prefixes, page2.next]).toEqual([['a/'], 'a/']);
    // A marker that is a common prefix (or inside one) skips the whole prefix.
    const page3 = await catalog.list('list-bucket', '', 'a/', '/', 10);
    expect([page3.objects.map((o) => o.key), page3.prefixes]).toEqual([['a~', 'c', 'é'], ['b/']]);
    const inside = await catalog.list('list-bucket', '', 'a/1', '/', 10);
    expect(inside.prefixes).toEqual(['b/']);

    const under = await catalog.list('list-bucket', 'a/', '', '/', 10);
    expect([under.objects.map((o) => o.key), under.prefixes]).toEqual([['a/1', 'a/2'], ['a/b/']]);
    const none = await catalog.list('list-bucket', 'zzz', '', '', 10);
    expect([none.objects, none.prefixes, none.truncated]).toEqual([[], [], false]);
  });

  it('lists keys that hold U+10FFFF after a prefix or a delimiter once each, and pages to the end', async () => {
    const b = { name: 'max-bucket', accountId: ACCOUNT, createDate: '2026-01-01T00:00:00.000Z' };
    await catalog.createBucket({ ...b, acl: 'private', storageClass: 'Standard', redundancy: 'LRS' });
    const top = '\u{10FFFF}';
    const keys = ['a/1', 'a/2', `a${top}x`, `a/${top}z`, 'b', 'c/d/e', 'c/f', 'd', `${top}`, `${top}/q`];
    for (const k of keys) await catalog.putObject(b, object(k));
    const rolled = await catalog.list('max-bucket', '', '', '/', 1000);
    expect(rolled.prefixes).toEqual(['a/', 'c/', `${top}/`]);
    expect(rolled.objects.map((o) => o.key)).toEqual([`a${top}x`, 'b', 'd', top]);
    expect((await catalog.list('max-bucket', 'a', '', '', 1000)).objects.map((o) => o.key)).toEqual([
      'a/1',
      'a/2',
      `a/${top}z`,
      `a${top}x`,
    ]);
    expect((await catalog.list('max-bucket', 'a/', '', '', 1000)).objects.map((o) => o.key)).toEqual([
      'a/1',
      'a/2',
      `a/${top}z`,
    ]);
    // One entry a page, following the markers: each entry once, and an end.
    const seen: string[] = [];
    let marker = '';
    for (let i = 0; i < 20; i++) {
      const page = await catalog.list('max-bucket', '', marker, '/', 1);
      seen.push(...page.prefixes, ...page.objects.map((o) => o.key));
      if (!page.truncated) break;
      marker = page.next!;
    }
    expect(seen).toEqual(['a/', `a${top}x`, 'b', 'c/', 'd', top, `${top}/`]);
    for (const k of keys) await catalog.deleteObjects('max-bucket', [k]);
    await catalog.deleteBucket('max-bucket');
  });

  it('writes an object only into the bucket that was authorized, not one made again under its name', async () => {
    const OTHER = '6543210987654321';
    await store.db.insertInto('accounts').values(bareAccount(OTHER, '2026-01-01T00:00:00Z')).execute();
    const first = {
      name: 'reused-bucket',
      accountId: ACCOUNT,
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createDate: '2026-01-01T00:00:00.000Z',
    };
    await catalog.createBucket(first);
    // An upload authorized for the first bucket is still streaming when the bucket is deleted
    // and another account makes one of the same name.
    await catalog.deleteBucket('reused-bucket');
    const second = { ...first, accountId: OTHER, createDate: '2026-01-02T00:00:00.000Z' };
    await catalog.createBucket(second);
    await expect(catalog.putObject(first, object('planted'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    // The same owner's bucket made again is another bucket too.
    await catalog.deleteBucket('reused-bucket');
    await catalog.createBucket({ ...first, createDate: '2026-01-03T00:00:00.000Z' });
    await expect(catalog.putObject(first, object('planted'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    expect((await catalog.list('reused-bucket', '', '', '', 1000)).objects).toEqual([]);
    await catalog.deleteBucket('reused-bucket');
  });

  it('refuses a second bucket of the same name and a non-empty delete', async () => {
    const b = {
      name: 'dup-bucket',
      accountId: ACCOUNT,
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createDate: '2026-01-01T00:00:00.000Z',
    };
    await catalog.createBucket(b);
    await expect(catalog.createBucket(b)).rejects.toMatchObject({ code: 'BucketAlreadyExists', status: 409 });
    await catalog.putObject(b, object('k'));
    await expect(catalog.deleteBucket('dup-bucket')).rejects.toBeInstanceOf(OssError);
    await expect(catalog.putObject(b, object('k'), true)).rejects.toMatchObject({
      code: 'FileAlreadyExists',
    });
    const removed = await catalog.deleteObjects('dup-bucket', ['k', 'missing']);
    expect(removed.map((r) => r.key)).toEqual(['k']);
    await catalog.deleteBucket('dup-bucket');
    expect(await catalog.find('dup-bucket')).toBeUndefined();
  });
});
