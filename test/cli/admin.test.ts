import * as Ram from '@alicloud/ram20150501';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOperatorActions } from '../../src/operator-log.js';
import { openDeployment } from '../../src/server.js';
import { rampart, rampartJson, tempDir } from '../helpers/cli.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { ramClient, startServer, type TestServer } from '../helpers/server.js';

/**
 * `rampart admin ...`: operator recovery on the store directly, while a server runs on it.
 */

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(STORES)('rampart admin (%s)', (store) => {
  let server: TestServer;
  let storeArgs: string[];
  const secrets: string[] = [];

  beforeAll(async () => {
    server = await startServer({ store, initArgs: ['--account-alias', `ops-${store}`] });
    storeArgs = [
      '--data',
      server.dataDir,
      ...(server.databaseUrl ? ['--database-url', server.databaseUrl] : []),
    ];
  });

  afterAll(async () => {
    await server?.stop();
  });

  const verifyRoot = async (password: string): Promise<boolean> => {
    const d = await openDeployment({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
    try {
      return await d.domain.accounts.verifyRootPassword(server.accountId, password);
    } finally {
      await d.close();
    }
  };

  it('create-admin makes a RAM user with AdministratorAccess whose key calls the running server', async () => {
    const out = await rampartJson<Record<string, string>>(['admin', 'create-admin', ...storeArgs]);
    expect(Object.keys(out).sort()).toEqual(
      ['AccessKeyId', 'AccessKeySecret', 'AccountId', 'PolicyName', 'UserId', 'UserName'].sort(),
    );
    expect(out).toMatchObject({
      AccountId: server.accountId,
      UserName: 'admin',
      PolicyName: 'AdministratorAccess',
    });
    secrets.push(out.AccessKeySecret!);

    const asAdmin = ramClient(server, {
      accessKeyId: out.AccessKeyId!,
      accessKeySecret: out.AccessKeySecret!,
    });
    await asAdmin.createUser(new Ram.CreateUserRequest({ userName: 'made-by-admin' }));
    const users = await asAdmin.listUsers(new Ram.ListUsersRequest({}));
    expect(users.body!.users!.user!.map((u) => u.userName).sort()).toEqual(['admin', 'made-by-admin']);
    const policies = await asAdmin.listPoliciesForUser(
      new Ram.ListPoliciesForUserRequest({ userName: 'admin' }),
    );
    expect(policies.body!.policies!.policy!.map((p) => p.policyName)).toEqual(['AdministratorAccess']);

    // Text form, another name, the account chosen by alias.
    const text = await rampart([
      'admin',
      'create-admin',
      ...storeArgs,
      '--user-name',
      'ops',
      '--account',
      `ops-${store}`,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^Created RAM user ops \(\d{16}\) in account \d{16} with AdministratorAccess\.\n/,
    );
    const secret = /AccessKeySecret: (\S+) {2}\(shown once; store it now\)/.exec(text.stdout);
    expect(secret).not.toBeNull();
    secrets.push(secret![1]!);

    const again = await rampart(['admin', 'create-admin', ...storeArgs]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^rampart admin create-admin: EntityAlreadyExists\.User: /);
  });

  it('reset-root-password generates a password (printed once) or sets the one given', async () => {
    expect(await verifyRoot(server.rootPassword)).toBe(true);
    const generated = await rampartJson<Record<string, string>>([
      'admin',
      'reset-root-password',
      ...storeArgs,
    ]);
    expect(generated).toMatchObject({ AccountId: server.accountId, RootLoginName: server.rootLoginName });
    expect(generated.RootPassword).toHaveLength(32);
    secrets.push(generated.RootPassword!);
    expect(await verifyRoot(generated.RootPassword!)).toBe(true);
    expect(await verifyRoot(server.rootPassword)).toBe(false);

    const given = await rampartJson<Record<string, string>>([
      'admin',
      'reset-root-password',
      ...storeArgs,
      '--account',
      server.accountId,
      '--password',
      'Given-Passw0rd!',
    ]);
    expect(given).toEqual({ AccountId: server.accountId, RootLoginName: server.rootLoginName });
    secrets.push('Given-Passw0rd!');
    expect(await verifyRoot('Given-Passw0rd!')).toBe(true);

    const weak = await rampart(['admin', 'reset-root-password', ...storeArgs, '--password', 'short']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^rampart admin reset-root-password: InvalidParameter\.Password\.TooWeak: /);
  });

  it('unlock-root says that nothing was locked, then unlocks a root locked by wrong passwords at logon', async () => {
    const json = await rampartJson<Record<string, unknown>>(['admin', 'unlock-root', ...storeArgs]);
    expect(json).toMatchObject({ AccountId: server.accountId, Unlocked: false });

    // Lock the root through the running server: MaxLoginAttemps 2, two wrong passwords.
    const d = await openDeployment({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
    try {
      await d.domain.passwordPolicy.set(server.accountId, { maxLoginAttemps: 2 });
    } finally {
      await d.close();
    }
    const logon = (password: string) =>
      fetch(`${server.endpoint}/logon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
        body: JSON.stringify({ LoginName: server.rootLoginName, Password: password }),
      });
    for (let i = 0; i < 2; i++) expect((await logon('Wrong-Passw0rd!')).status).toBe(401);
    const locked = await logon('Given-Passw0rd!');
    expect(locked.status).toBe(401);
    expect(((await locked.json()) as { Code: string }).Code).toBe('AuthenticationFail.Logon');

    const text = await rampart(['admin', 'unlock-root', ...storeArgs]);
    expect(text.stdout).toBe(`Unlocked the root logon of account ${server.accountId}.\n`);
    const again = await logon('Given-Passw0rd!');
    expect(again.status, await again.clone().text()).toBe(200);
    expect(again.headers.get('set-cookie')).toMatch(/^rampart_session=[A-Za-z0-9_-]{43}; /);
  });

  it('records every command in the operator log, without a secret', async () => {
    const d = await openDeployment({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
    let log;
    try {
      log = await listOperatorActions(d.store);
    } finally {
      await d.close();
    }
    expect(log.map((e) => e.action)).toEqual([
      'admin.create-admin',
      'admin.create-admin',
      'admin.reset-root-password',
      'admin.reset-root-password',
      'admin.unlock-root',
      'admin.unlock-root',
    ]);
    expect(log[0]).toMatchObject({
      accountId: server.accountId,
      detail: { userName: 'admin', policy: 'AdministratorAccess' },
    });
    expect(log[0]!.actor).toMatch(/.+@.+/);
    const text = JSON.stringify(log);
    for (const s of secrets) expect(text).not.toContain(s);
    const shown = await rampartJson<{ Actions: unknown[] }>(['admin', 'log', ...storeArgs]);
    expect(shown.Actions).toHaveLength(6);
  });

  it('refuses an account that does not exist', async () => {
    const r = await rampart(['admin', 'unlock-root', ...storeArgs, '--account', '9999999999999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('rampart admin unlock-root: no account 9999999999999999 in this deployment\n');
  });

  it('create-account makes another account whose root key calls the running server; a taken alias changes nothing', async () => {
    const out = await rampartJson<Record<string, string>>([
      'admin',
      'create-account',
      ...storeArgs,
      '--alias',
      `second-${store}`,
      '--root-access-key',
    ]);
    secrets.push(out.RootPassword!, out.AccessKeySecret!);
    expect(out).toMatchObject({
      AccountAlias: `second-${store}`,
      RootLoginName: `root@second-${store}.onaliyun.com`,
    });
    expect(out.AccountId).toMatch(/^\d{16}$/);
    expect(out.AccountId).not.toBe(server.accountId);
    const ram = ramClient(server, { accessKeyId: out.AccessKeyId!, accessKeySecret: out.AccessKeySecret! });
    await ram.createUser(new Ram.CreateUserRequest({ userName: 'first-user' }));
    const listed = await ram.listUsers(new Ram.ListUsersRequest({}));
    expect(listed.body!.users!.user!.map((u) => u.userName)).toEqual(['first-user']);
    // Now the deployment has two accounts: the other commands want --account.
    const choose = await rampart(['admin', 'unlock-root', ...storeArgs]);
    expect(choose.code).toBe(1);
    expect(choose.stderr).toMatch(/has 2 accounts; choose one with --account ID/);
    const taken = await rampart(['admin', 'create-account', ...storeArgs, '--alias', `ops-${store}`]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^rampart admin create-account: EntityAlreadyExists/);
    const d = await openDeployment({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
    let log;
    try {
      log = await listOperatorActions(d.store);
    } finally {
      await d.close();
    }
    expect(log.filter((e) => e.action === 'admin.create-account')).toEqual([
      expect.objectContaining({
        accountId: out.AccountId,
        detail: { alias: `second-${store}`, rootAccessKeyId: out.AccessKeyId },
      }),
    ]);
    expect(JSON.stringify(log)).not.toContain(out.AccessKeySecret);
  });
});

describe('rampart admin on a directory without a deployment', () => {
  it('refuses and creates nothing', async () => {
    const t = tempDir('rampart-admin-');
    try {
      const dir = join(t.dir, 'data');
      const r = await rampart(['admin', 'create-admin', '--data', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `rampart admin create-admin: ${dir} holds no deployment; create one with rampart init\n`,
      );
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    } finally {
      t.remove();
    }
  });
});

describe('operator commands and the options they are given', () => {
  it('name the command as typed in their errors, workload commands included', async () => {
    const { dir, remove } = tempDir('rampart-admin-');
    try {
      const missing = join(dir, 'none');
      const r = await rampart(['workload', 'create', '--name', 'w', '--role', 'r', '--data', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `rampart workload create: ${missing} holds no deployment; create one with rampart init\n`,
      );
      const a = await rampart(['admin', 'unlock-root', '--data', missing]);
      expect(a.stderr).toBe(
        `rampart admin unlock-root: ${missing} holds no deployment; create one with rampart init\n`,
      );
    } finally {
      remove();
    }
  });

  it('refuse a database URL that is not PostgreSQL rather than open the local store', async () => {
    const { dir, remove } = tempDir('rampart-admin-');
    try {
      expect((await rampart(['init', '--data', join(dir, 'd'), '--json'])).code).toBe(0);
      for (const args of [
        ['keys', 'status', '--data', join(dir, 'd'), '--database-url', 'mysql://x/y'],
        ['admin', 'unlock-root', '--data', join(dir, 'd'), '--database-url', 'mysql://x/y'],
        ['serve', '--data', join(dir, 'd'), '--port', '0', '--database-url', 'mysql://x/y'],
      ]) {
        const r = await rampart(args, {}, 8_000);
        expect([r.code, r.stderr]).toEqual([
          2,
          `rampart ${args[0]} ${args[0] === 'serve' ? '' : `${args[1]} `}`.replace(/ $/, '') +
            ': the database URL must be a postgres:// or postgresql:// URL\n',
        ]);
      }
    } finally {
      remove();
    }
  });
});
