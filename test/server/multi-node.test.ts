/**
 * Two `rampart serve` nodes on one PostgreSQL database: what one node changes is enforced by
 * the other on its very next request (a disabled or deleted AccessKey, a revoked permission, a
 * new Deny), and a nonce used on one is refused on the other. On SQLite: a nonce stays used
 * across a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  pgAvailable,
  pgSkipReason,
  startServer,
  type KeyPair,
  type TestServer,
} from '../helpers/server.js';
import { v3Call } from './http.js';

if (!pgAvailable) console.warn(pgSkipReason);

/** Another node on the same store (same data directory, so the same master key). */
async function secondNode(
  of: TestServer,
): Promise<{ node: Pick<TestServer, 'host' | 'endpoint'>; child: ChildProcess }> {
  const args = [BIN, 'serve', '--data', of.dataDir, '--host', '127.0.0.1', '--port', '0'];
  if (of.databaseUrl) args.push('--database-url', of.databaseUrl);
  const env = { ...process.env };
  delete env.RAMPART_MASTER_KEY;
  delete env.RAMPART_DATABASE_URL;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second node did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`second node exited with ${code}:\n${out}`)));
  });
  child.removeAllListeners('exit');
  return { node: { host: `127.0.0.1:${port}`, endpoint: `http://127.0.0.1:${port}` }, child };
}

/** An answer of the first node that must have succeeded. */
function expectOk(r: { status: number; text: string }): void {
  expect(r.status, r.text).toBe(200);
}

const stopChild = (child: ChildProcess | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

describe.skipIf(!pgAvailable)('two nodes on one PostgreSQL database', () => {
  let a: TestServer;
  let b: Pick<TestServer, 'host' | 'endpoint'>;
  let bChild: ChildProcess | undefined;
  let root: KeyPair;
  let user: KeyPair;

  /** A call to node b, signed for it. */
  const onB = (key: KeyPair, action: string, params: Record<string, string> = {}, nonce?: string) =>
    v3Call(b as TestServer, key, action, params, nonce ? { nonce } : {});
  const onA = (key: KeyPair, action: string, params: Record<string, string> = {}, nonce?: string) =>
    v3Call(a, key, action, params, nonce ? { nonce } : {});

  beforeAll(async () => {
    a = await startServer({ store: 'postgres' });
    ({ node: b, child: bChild } = await secondNode(a));
    root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    expect((await onA(root, 'CreateUser', { UserName: 'Worker' })).status).toBe(200);
    expect((await onA(root, 'CreateUser', { UserName: 'Boss' })).status).toBe(200);
    const created = (await onA(root, 'CreateAccessKey', { UserName: 'Worker' })).json();
    user = { accessKeyId: created.AccessKey.AccessKeyId, accessKeySecret: created.AccessKey.AccessKeySecret };
  });
  afterAll(async () => {
    await stopChild(bChild);
    await a?.stop();
  });

  it('a permission granted or revoked on one node holds on the other at once', async () => {
    expect((await onB(user, 'GetUser', { UserName: 'Boss' })).json().Code).toBe('NoPermission');
    expectOk(
      await onA(root, 'AttachPolicyToUser', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        UserName: 'Worker',
      }),
    );
    expect((await onB(user, 'GetUser', { UserName: 'boss' })).status).toBe(200);
    const deny = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Deny', Action: 'ram:GetUser', Resource: `acs:ram:*:${a.accountId}:user/Boss` }],
    });
    expectOk(await onA(root, 'CreatePolicy', { PolicyName: 'no-boss', PolicyDocument: deny }));
    expectOk(
      await onA(root, 'AttachPolicyToUser', {
        PolicyType: 'Custom',
        PolicyName: 'no-boss',
        UserName: 'Worker',
      }),
    );
    const refused = (await onB(user, 'GetUser', { UserName: 'BOSS' })).json();
    expect(refused.Code).toBe('NoPermission');
    expect(refused.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    expectOk(
      await onA(root, 'DetachPolicyFromUser', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        UserName: 'Worker',
      }),
    );
    expect((await onB(user, 'GetUser', { UserName: 'Worker' })).json().Code).toBe('NoPermission');
  });

  it('a nonce used on one node is refused on the other', async () => {
    expect((await onA(root, 'GetAccountAlias', {}, 'shared-nonce-1')).status).toBe(200);
    expect((await onB(root, 'GetAccountAlias', {}, 'shared-nonce-1')).json().Code).toBe('SignatureNonceUsed');
  });

  it('a key disabled, then deleted, on one node is refused by the other on its next request', async () => {
    const created = (await onA(root, 'CreateAccessKey', { UserName: 'Boss' })).json();
    const key = {
      accessKeyId: created.AccessKey.AccessKeyId,
      accessKeySecret: created.AccessKey.AccessKeySecret,
    };
    expect((await onB(key, 'GetAccountAlias')).json().Code).toBe('NoPermission'); // signed and known
    expectOk(
      await onA(root, 'UpdateAccessKey', {
        UserName: 'Boss',
        UserAccessKeyId: key.accessKeyId,
        Status: 'Inactive',
      }),
    );
    expect((await onB(key, 'GetAccountAlias')).json().Code).toBe('InvalidAccessKeyId.Inactive');
    expectOk(await onA(root, 'DeleteAccessKey', { UserName: 'Boss', UserAccessKeyId: key.accessKeyId }));
    expect((await onB(key, 'GetAccountAlias')).json().Code).toBe('InvalidAccessKeyId.NotFound');
  });
});

describe('one node on SQLite, restarted', () => {
  let a: TestServer | undefined;
  let again: ChildProcess | undefined;
  afterAll(async () => {
    await stopChild(again);
    await a?.stop();
  });

  it('refuses a nonce used before the restart', async () => {
    a = await startServer();
    const root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    expect((await v3Call(a, root, 'GetAccountAlias', {}, { nonce: 'before-restart' })).status).toBe(200);
    a.process.kill('SIGTERM');
    await new Promise((r) => a!.process.once('exit', r));
    const restarted = await secondNode(a);
    again = restarted.child;
    const replay = await v3Call(
      restarted.node as TestServer,
      root,
      'GetAccountAlias',
      {},
      { nonce: 'before-restart' },
    );
    expect(replay.json().Code).toBe('SignatureNonceUsed');
  });
});
