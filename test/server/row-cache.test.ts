import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { call, expectFailure, grant, ramUserWithKey, uniq } from '../compat/ram-helpers.js';
import { ossClient, ossFailure } from '../compat/oss-helpers.js';

/**
 * A server on SQLite answers hot reads from its row cache (src/store/sqlite/row-cache.ts).
 * Whatever changed the file, through this server or behind its back, the next request sees it.
 */
describe('SQLite row cache in a running server', () => {
  let server: TestServer;
  let root: RamClient;
  let other: SqliteDatabase.Database;

  beforeAll(async () => {
    server = await startServer();
    root = ramClient(server);
    // Another process writing the same file, as an operator command or a second node would.
    other = new SqliteDatabase(join(server.dataDir, 'rampart.db'));
    other.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    other?.close();
    await server?.stop();
  });

  /** `n` GetUser calls at once by `client`: their outcomes, in order. */
  const burst = (client: RamClient, userName: string, n = 16) =>
    Promise.all(
      Array.from({ length: n }, () =>
        call(client, 'GetUser', { UserName: userName }).then(
          () => 'ok',
          (err: { data?: { Code?: string }; code?: string }) => err.data?.Code ?? err.code ?? String(err),
        ),
      ),
    );

  it('refuses a key that another process disabled, from the next request on', async () => {
    const { userName, keys, client } = await ramUserWithKey(server, root);
    await grant(root, userName, ['ram:GetUser']);
    const setStatus = other.prepare('update access_keys set status = ? where access_key_id = ?');
    for (let round = 0; round < 15; round++) {
      expect(new Set(await burst(client, userName))).toEqual(new Set(['ok']));
      setStatus.run('Inactive', keys.accessKeyId);
      expect(new Set(await burst(client, userName))).toEqual(new Set(['InvalidAccessKeyId.Inactive']));
      setStatus.run('Active', keys.accessKeyId);
    }
    other.prepare('delete from access_keys where access_key_id = ?').run(keys.accessKeyId);
    expect(new Set(await burst(client, userName))).toEqual(new Set(['InvalidAccessKeyId.NotFound']));
  });

  it('refuses a key disabled through the API at the next request, while others are in flight', async () => {
    const { userName, keys, client } = await ramUserWithKey(server, root);
    await grant(root, userName, ['ram:GetUser']);
    for (let round = 0; round < 10; round++) {
      const during = burst(client, userName, 24);
      await call(root, 'UpdateAccessKey', {
        UserName: userName,
        UserAccessKeyId: keys.accessKeyId,
        Status: 'Inactive',
      });
      // Requests sent before the change was answered may go either way; none after it.
      await during;
      expect(new Set(await burst(client, userName))).toEqual(new Set(['InvalidAccessKeyId.Inactive']));
      await call(root, 'UpdateAccessKey', {
        UserName: userName,
        UserAccessKeyId: keys.accessKeyId,
        Status: 'Active',
      });
      expect(new Set(await burst(client, userName))).toEqual(new Set(['ok']));
    }
  });

  it('reads a renamed user under its new name at once', async () => {
    const { userName, client } = await ramUserWithKey(server, root);
    await grant(root, userName, ['ram:GetUser']);
    const target = uniq('renamed');
    await call(root, 'CreateUser', { UserName: target });
    let name = target;
    for (let round = 0; round < 10; round++) {
      expect(new Set(await burst(client, name, 8))).toEqual(new Set(['ok']));
      const next = `${target}-${round}`;
      await call(root, 'UpdateUser', { UserName: name, NewUserName: next });
      await expectFailure(call(client, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);
      const got = await call(client, 'GetUser', { UserName: next });
      expect(got.User.UserName).toBe(next);
      name = next;
    }
  });

  it('serves an object as it is now, whoever changed it', async () => {
    const bucket = uniq('rows')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-');
    const oss = ossClient(
      server,
      { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret },
      { bucket },
    );
    await oss.putBucket(bucket);
    const reads = async (n = 8) =>
      new Set(
        await Promise.all(
          Array.from({ length: n }, () =>
            oss.get('hello.txt').then(
              (r: { content: Buffer }) => r.content.toString('utf8'),
              (err: { code?: string }) => err.code ?? String(err),
            ),
          ),
        ),
      );
    const drop = other.prepare('delete from oss_objects where bucket_name = ? and object_key = ?');
    for (let round = 0; round < 8; round++) {
      // Overwritten through the API: the next reads see the new bytes.
      await oss.put('hello.txt', Buffer.from(`version ${round}`));
      expect(await reads()).toEqual(new Set([`version ${round}`]));
      // Removed by another process: the next reads find nothing.
      expect(drop.run(bucket, 'hello.txt').changes).toBe(1);
      expect(await reads()).toEqual(new Set(['NoSuchKey']));
    }
    expect((await ossFailure(oss.get('hello.txt'))).status).toBe(404);
  });

  it('sees a user that another process renamed, from the next request on', async () => {
    const { userName, client } = await ramUserWithKey(server, root);
    await grant(root, userName, ['ram:GetUser']);
    const target = uniq('moved');
    await call(root, 'CreateUser', { UserName: target });
    const rename = other.prepare(
      'update users set user_name = ?, name_key = lower(?) where account_id = ? and user_name = ?',
    );
    let name = target;
    for (let round = 0; round < 10; round++) {
      expect(new Set(await burst(client, name, 8))).toEqual(new Set(['ok']));
      const next = `${target}-x${round}`;
      expect(rename.run(next, next, server.accountId, name).changes).toBe(1);
      const got = await call(client, 'GetUser', { UserName: next });
      expect(got.User.UserName).toBe(next);
      await expectFailure(call(client, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);
      name = next;
    }
  });
});
