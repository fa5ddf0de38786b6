/**
 * The Resource Directory from the command line: the first account's directory, a folder and a
 * member account with `rampart resourcemanager ...`, then the member reached through its access
 * role with `rampart sts AssumeRole` and acted on with the session's credentials; removed and
 * invited back, the member accepts the invitation with the same session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { rampart } from '../helpers/cli.js';

let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startServer();
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

  // Out of the directory and invited back: the invited account accepts from its own side.
  await json(['resourcemanager', 'RemoveCloudAccount', '--AccountId', memberId], root);
  const invited = await json(
    [
      'resourcemanager',
      'InviteAccountToResourceDirectory',
      '--TargetType',
      'Account',
      '--TargetEntity',
      memberId,
      '--Note',
      'Welcome back',
    ],
    root,
  );
  const pending = await json(['resourcemanager', 'ListHandshakesForAccount'], inMember);
  expect(pending.Handshakes.Handshake.map((h: { HandshakeId: string }) => h.HandshakeId)).toEqual([
    invited.Handshake.HandshakeId,
  ]);
  const accepted = await json(
    ['resourcemanager', 'AcceptHandshake', '--HandshakeId', invited.Handshake.HandshakeId],
    inMember,
  );
  expect(accepted.Handshake.Status).toBe('Accepted');
  const back = await json(['resourcemanager', 'GetAccount', '--AccountId', memberId], root);
  expect(back.Account.JoinMethod).toBe('invited');
});
