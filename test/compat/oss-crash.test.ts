/**
 * kill -9 during a large upload: after a restart on the same data directory (and database),
 * no partial object is listed or readable, the unfinished file is gone, and what was stored
 * before is whole. Both stores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { STORES, uniq } from './ram-helpers.js';
import { ossClient } from './oss-helpers.js';

async function restart(server: TestServer): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--data',
      server.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...(server.databaseUrl ? ['--database-url', server.databaseUrl] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no restart in 20 s:\n${out}`)), 20_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  });
  return { child, port };
}

describe.each(STORES)('OSS crash during an upload (%s)', (store) => {
  let server: TestServer;
  let restarted: ChildProcess | undefined;

  beforeAll(async () => {
    server = await startServer({ store });
  });
  afterAll(async () => {
    if (restarted && restarted.exitCode === null) {
      const exited = new Promise((r) => restarted!.once('exit', r));
      restarted.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
  });

  it('leaves no partial object after kill -9 and a restart', { timeout: 60_000 }, async () => {
    const keys = rootKeys(server);
    const bucket = uniq('crash');
    const c = ossClient(server, keys, { bucket });
    await c.putBucket(bucket);
    const before = Buffer.alloc(300 * 1024, 9);
    await c.put('whole.bin', before);

    // A 1 GiB upload, of which 32 MiB arrive before the process is killed.
    const total = 1024 * 1024 * 1024;
    const date = new Date().toUTCString();
    const sig = createHmac('sha1', keys.accessKeySecret)
      .update(`PUT\n\n\n${date}\n/${bucket}/partial.bin`)
      .digest('base64');
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'PUT',
      path: '/partial.bin',
      headers: {
        host: `${bucket}.oss-cn-hangzhou.aliyuncs.com`,
        date,
        authorization: `OSS ${keys.accessKeyId}:${sig}`,
        'content-length': String(total),
      },
    });
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 32; i++) {
      if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    }
    const tmp = join(server.dataDir, 'oss', 'tmp');
    for (let i = 0; i < 100 && readdirSync(tmp).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp).length).toBe(1);

    const exited = new Promise((r) => server.process.once('exit', r));
    server.process.kill('SIGKILL');
    await exited;
    req.destroy();
    // A start removes an upload's temporary file once it is an hour old (a younger one may be
    // another process's upload in progress): this one is made old.
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const name of readdirSync(tmp)) utimesSync(join(tmp, name), hoursAgo, hoursAgo);

    const again = await restart(server);
    restarted = again.child;
    expect(readdirSync(tmp)).toEqual([]);
    const after = ossClient({ port: again.port }, keys, { bucket });
    const listed = ((await after.list({ 'max-keys': 100 })).objects ?? []).map(
      (o: { name: string }) => o.name,
    );
    expect(listed).toEqual(['whole.bin']);
    const head = await after.head('partial.bin').catch((e: { code: string }) => e.code);
    expect(head).toBe('NoSuchKey');
    const got = await after.get('whole.bin');
    expect(createHash('md5').update(got.content).digest('hex')).toBe(
      createHash('md5').update(before).digest('hex'),
    );
    // The store still takes uploads.
    await after.put('partial.bin', Buffer.from('now whole'));
    expect((await after.get('partial.bin')).content.toString()).toBe('now whole');
    expect(existsSync(join(server.dataDir, 'oss', 'blobs'))).toBe(true);
  });
});
