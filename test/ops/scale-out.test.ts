/**
 * Three `rampart serve` nodes on one PostgreSQL database: what one node changes (group
 * membership, a role deleted) is enforced by another on its very next request, wrong
 * passwords count across nodes, a nonce is good on exactly one node, and the background jobs
 * run once between the three.
 * (test/server/multi-node.test.ts covers policies and keys with two nodes.)
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/nodes.js';
import { pgAvailable, pgSkipReason, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';

if (!pgAvailable) console.warn(pgSkipReason);

const STS = '2015-04-01';

describe.skipIf(!pgAvailable)('three nodes on one PostgreSQL database', () => {
  let a: TestServer;
  let b: TestNode;
  let c: TestNode;
  let root: KeyPair;
  let worker: KeyPair;

  const call = (
    node: Pick<TestServer, 'host' | 'endpoint'>,
    key: KeyPair,
    action: string,
    params: Record<string, string> = {},
    opts: { nonce?: string; version?: string } = {},
  ) =>
    v3Call(node, key, action, params, {
      ...opts,
      ...(key.securityToken ? { headers: { 'x-acs-security-token': key.securityToken } } : {}),
    });
  const ok = async (p: ReturnType<typeof call>) => {
    const r = await p;
    expect(r.status, r.text).toBe(200);
    return r.json();
  };

  beforeAll(async () => {
    a = await startServer({ store: 'postgres' });
    [b, c] = await Promise.all([startNode(a), startNode(a)]);
    root = { accessKeyId: a.rootAccessKeyId, accessKeySecret: a.rootAccessKeySecret };
    await ok(call(a, root, 'CreateUser', { UserName: 'Worker' }));
    const k = (await ok(call(a, root, 'CreateAccessKey', { UserName: 'Worker' })))
      .AccessKey as unknown as Record<string, string>;
    worker = { accessKeyId: k.AccessKeyId!, accessKeySecret: k.AccessKeySecret! };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([b?.stop(), c?.stop()]);
    await a?.stop();
  });

  it('runs each background job once between the three nodes', async () => {
    const client = new pg.Client({ connectionString: a.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; runs: number; finished_at: string | null }>(
        'select name, runs, finished_at from job_runs order by name',
      );
      expect(rows.map((r) => [r.name, r.runs])).toEqual([
        ['audit retention', 1],
        ['idle credentials', 1],
      ]);
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('a group membership added on one node grants on the next, removed on the third refuses', async () => {
    expect((await call(b, worker, 'ListUsers')).json().Code).toBe('NoPermission');
    await ok(call(a, root, 'CreateGroup', { GroupName: 'Readers' }));
    await ok(
      call(a, root, 'AttachPolicyToGroup', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        GroupName: 'Readers',
      }),
    );
    expect((await call(b, worker, 'ListUsers')).json().Code).toBe('NoPermission');
    await ok(call(a, root, 'AddUserToGroup', { GroupName: 'Readers', UserName: 'Worker' }));
    expect((await call(b, worker, 'ListUsers')).status).toBe(200);
    expect((await call(c, worker, 'ListUsers')).status).toBe(200);
    await ok(call(c, root, 'RemoveUserFromGroup', { GroupName: 'readers', UserName: 'worker' }));
    expect((await call(b, worker, 'ListUsers')).json().Code).toBe('NoPermission');
    expect((await call(a, worker, 'ListUsers')).json().Code).toBe('NoPermission');
  });

  it('a role deleted on one node ends its sessions on the others at their next request', async () => {
    const trust = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${a.accountId}:root`] } },
      ],
    });
    const role = (
      await ok(call(a, root, 'CreateRole', { RoleName: 'Auditor', AssumeRolePolicyDocument: trust }))
    ).Role as unknown as Record<string, string>;
    await ok(
      call(a, root, 'AttachPolicyToRole', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        RoleName: 'Auditor',
      }),
    );
    const cred = (
      await ok(call(b, root, 'AssumeRole', { RoleArn: role.Arn!, RoleSessionName: 's1' }, { version: STS }))
    ).Credentials as unknown as Record<string, string>;
    const session: KeyPair = {
      accessKeyId: cred.AccessKeyId!,
      accessKeySecret: cred.AccessKeySecret!,
      securityToken: cred.SecurityToken!,
    };
    // Verified by any node: the token carries its claims.
    expect((await call(a, session, 'ListRoles')).status).toBe(200);
    expect((await call(c, session, 'ListRoles')).status).toBe(200);
    await ok(
      call(a, root, 'DetachPolicyFromRole', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        RoleName: 'Auditor',
      }),
    );
    await ok(call(a, root, 'DeleteRole', { RoleName: 'Auditor' }));
    for (const node of [b, c]) {
      const r = await call(node, session, 'ListRoles');
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    }
    // A new role of the same name does not revive the old role's sessions.
    await ok(call(a, root, 'CreateRole', { RoleName: 'Auditor', AssumeRolePolicyDocument: trust }));
    await ok(
      call(a, root, 'AttachPolicyToRole', {
        PolicyType: 'System',
        PolicyName: 'AliyunRAMReadOnlyAccess',
        RoleName: 'Auditor',
      }),
    );
    const again = await call(c, session, 'ListRoles');
    expect(again.status, again.text).toBeGreaterThanOrEqual(400);
  });

  it('counts wrong passwords across the nodes: the lock-out holds on every node', async () => {
    await ok(call(a, root, 'SetPasswordPolicy', { MaxLoginAttemps: '3' }));
    for (const name of ['Guessed', 'Control']) {
      await ok(call(a, root, 'CreateUser', { UserName: name }));
      await ok(call(a, root, 'CreateLoginProfile', { UserName: name, Password: 'Right-pass-123' }));
    }
    const logon = async (node: Pick<TestServer, 'endpoint'>, name: string, password: string) => {
      const r = await fetch(`${node.endpoint}/logon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
        body: JSON.stringify({
          LoginName: `${name}@${a.accountAlias || a.accountId}.onaliyun.com`,
          Password: password,
        }),
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const first = await logon(c, 'Control', 'Right-pass-123');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    for (const [i, node] of [a, b, c].entries()) {
      expect((await logon(node, 'Guessed', `wrong-pass-${i}`)).body.Code).toBe('AuthenticationFail.Logon');
    }
    for (const node of [a, b, c]) {
      expect((await logon(node, 'Guessed', 'Right-pass-123')).body.Code).toBe('AuthenticationFail.Logon');
    }
    expect((await logon(b, 'Control', 'Right-pass-123')).status).toBe(200);
  });

  it('a nonce is good on exactly one node, also when sent to all three at once', async () => {
    await ok(call(a, root, 'GetAccountAlias', {}, { nonce: 'three-nodes-1' }));
    for (const node of [b, c]) {
      expect((await call(node, root, 'GetAccountAlias', {}, { nonce: 'three-nodes-1' })).json().Code).toBe(
        'SignatureNonceUsed',
      );
    }
    for (let round = 0; round < 5; round++) {
      const nonce = `race-${round}-${Date.now()}`;
      const answers = await Promise.all(
        [a, b, c, a, b, c].map((node) => call(node, root, 'GetAccountAlias', {}, { nonce })),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
      expect(answers.filter((r) => r.json().Code === 'SignatureNonceUsed')).toHaveLength(5);
    }
  });
});
