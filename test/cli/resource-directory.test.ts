/**
 * The Resource Directory from the command line: the first account's directory, a folder and a
 * member account with `rampart resourcemanager ...`, then the member reached through its access
 * role with `rampart sts AssumeRole` and acted on with the session's credentials; the created
 * member cannot be removed; an account outside any directory (made in-process: no API makes
 * one) is invited, accepts with its own credentials, and is removed again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { rampart } from '../helpers/cli.js';

let server: InProcessServer;
let configDir: string;

beforeAll(async () => {
  server = await startInProcessServer();
  configDir = mkdtempSync(join(tmpdir(), 'rampart-cli-rd-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

function env(keys: { id: string; secret: string; token?: string }): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: keys.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys.secret,
    ...(keys.token ? { ALIBABA_CLOUD_SECURITY_TOKEN: keys.token } : {}),
    ALIBABA_CLOUD_CONFIG_FILE: join(configDir, 'none.json'),
    RAMPART_ENDPOINT: server.host,
  };
}

async function json(args: string[], e: Record<string, string>) {
  const r = await rampart(args, e);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

it('creates the directory and a member account, and reaches the member through its access role', async () => {
  const root = env({ id: server.rootAccessKeyId, secret: server.rootAccessKeySecret });
  const dir = await json(
    ['resourcemanager', 'EnableResourceDirectory', '--EnableMode', 'CurrentAccount'],
    root,
  );
  expect(dir.ResourceDirectory.MasterAccountId).toBe(server.accountId);
  const folder = await json(['resourcemanager', 'CreateFolder', '--FolderName', 'Production'], root);
  const member = await json(
    [
      'resourcemanager',
      'CreateResourceAccount',
      '--DisplayName',
      'payments-prod',
      '--ParentFolderId',
      folder.Folder.FolderId,
    ],
    root,
  );
  const memberId = member.Account.AccountId as string;
  expect(memberId).toMatch(/^[0-9]{16}$/);

  const session = await json(
    [
      'sts',
      'AssumeRole',
      '--RoleArn',
      `acs:ram::${memberId}:role/ResourceDirectoryAccountAccessRole`,
      '--RoleSessionName',
      'operator',
    ],
    root,
  );
  const inMember = env({
    id: session.Credentials.AccessKeyId,
    secret: session.Credentials.AccessKeySecret,
    token: session.Credentials.SecurityToken,
  });
  const who = await json(['sts', 'GetCallerIdentity'], inMember);
  expect(who.AccountId).toBe(memberId);
  await json(['ram', 'CreateUser', '--UserName', 'payments-admin'], inMember);
  const users = await json(['ram', 'ListUsers'], inMember);
  expect(users.Users.User.map((u: { UserName: string }) => u.UserName)).toEqual(['payments-admin']);
  // The management account's own users are not the member's.
  const own = await json(['ram', 'ListUsers'], root);
  expect(own.Users.User).toEqual([]);

  // Created by the directory, it stays in it.
  const kept = await rampart(['resourcemanager', 'RemoveCloudAccount', '--AccountId', memberId], root);
  expect(kept.code).not.toBe(0);
  expect(kept.stderr).toContain('AccountTypeOrStatusMismatch');

  // An account outside any directory is invited and accepts from its own side.
  const accounts = server.deployment.domain.accounts;
  const { accountId: outsideId } = await accounts.create({ rootPassword: 'Outside#Account-2026' });
  const outsideKey = await accounts.createRootAccessKey(outsideId);
  const outside = env({ id: outsideKey.accessKeyId, secret: outsideKey.accessKeySecret });
  const invited = await json(
    [
      'resourcemanager',
      'InviteAccountToResourceDirectory',
      '--TargetType',
      'Account',
      '--TargetEntity',
      outsideId,
      '--Note',
      'Welcome',
    ],
    root,
  );
  const pending = await json(['resourcemanager', 'ListHandshakesForAccount'], outside);
  expect(pending.Handshakes.Handshake.map((h: { HandshakeId: string }) => h.HandshakeId)).toEqual([
    invited.Handshake.HandshakeId,
  ]);
  const accepted = await json(
    ['resourcemanager', 'AcceptHandshake', '--HandshakeId', invited.Handshake.HandshakeId],
    outside,
  );
  expect(accepted.Handshake.Status).toBe('Accepted');
  const joined = await json(['resourcemanager', 'GetAccount', '--AccountId', outsideId], root);
  expect(joined.Account).toMatchObject({ JoinMethod: 'invited', Type: 'CloudAccount' });
  // Invited, it can leave.
  await json(['resourcemanager', 'RemoveCloudAccount', '--AccountId', outsideId], root);
  const members = await json(['resourcemanager', 'ListAccounts'], root);
  expect(members.Accounts.Account.map((a: { AccountId: string }) => a.AccountId).sort()).toEqual(
    [server.accountId, memberId].sort(),
  );
});
