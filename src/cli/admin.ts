/**
 * `rampart admin ...`: operator recovery, on the store directly (no API, no credentials but
 * the store and its master key), also while servers run on it. Each prints its secret once
 * (one JSON object with --json) and is recorded in the store's operator log (table
 * `operator_log`, through recordOperatorAction); the log never holds a secret.
 *   admin reset-root-password [--account ID] [--password P]   set (or generate) the root password
 *   admin unlock-root [--account ID]                           clear a root logon lock-out
 *   admin create-admin [--account ID] [--user-name N]          a RAM user with AdministratorAccess and an AccessKey
 *   admin create-account [--alias A] [--root-access-key]       another account of the deployment (not in a directory)
 *   admin log                                                   what these commands did
 */
import type { Command } from 'commander';
import type { Account } from '../domain/index.js';
import { listOperatorActions, recordOperatorAction } from '../operator-log.js';
import { createFirstAccount, generatePassword, openDeployment, type Deployment } from '../server.js';
import {
  deploymentOptions,
  reportFailure,
  withDeploymentOptions,
  type DeploymentFlags,
} from './deployment-options.js';

interface AccountFlags extends DeploymentFlags {
  readonly account?: string;
}

interface ResetFlags extends AccountFlags {
  readonly password?: string;
}

interface CreateAdminFlags extends AccountFlags {
  readonly userName?: string;
}

interface CreateAccountFlags extends DeploymentFlags {
  readonly alias?: string;
  readonly rootAccessKey?: boolean;
}

export const ADMIN_POLICY = 'AdministratorAccess';
export const DEFAULT_ADMIN_USER = 'admin';

export function register(program: Command): void {
  const admin = program
    .command('admin')
    .description(
      'Operator recovery on the store directly: root password, root lock-out, an administrator key.',
    );
  const account = (cmd: Command): Command =>
    withDeploymentOptions(cmd).option(
      '--account <id>',
      'account id or alias (needed when the deployment has several accounts)',
    );
  account(
    admin
      .command('reset-root-password')
      .description(
        'Set the root password of an account; generated and printed once when --password is absent.',
      )
      .option('--password <password>', 'the new root password (8 to 128 characters)'),
  ).action(async (flags: ResetFlags) => {
    process.exitCode = await runAdmin('admin reset-root-password', flags, resetRootPassword);
  });
  account(
    admin
      .command('unlock-root')
      .description('Clear the logon lock-out of the root of an account, if it has one.'),
  ).action(async (flags: AccountFlags) => {
    process.exitCode = await runAdmin('admin unlock-root', flags, unlockRoot);
  });
  account(
    admin
      .command('create-admin')
      .description(
        `Create a RAM user with the System policy ${ADMIN_POLICY} and an AccessKey; prints the AccessKeySecret once.`,
      )
      .option('--user-name <name>', `name of the RAM user (default ${DEFAULT_ADMIN_USER})`),
  ).action(async (flags: CreateAdminFlags) => {
    process.exitCode = await runAdmin('admin create-admin', flags, createAdmin);
  });
  withDeploymentOptions(
    admin
      .command('create-account')
      .description(
        'Create another account of the deployment, outside any resource directory (one to invite into a directory, say); prints its root password once.',
      )
      .option('--alias <alias>', 'account alias (its default logon domain <alias>.onaliyun.com)')
      .option('--root-access-key', 'also create an AccessKey of the root and print it once'),
  ).action(async (flags: CreateAccountFlags) => {
    process.exitCode = await runAdmin('admin create-account', flags, createAccount);
  });
  withDeploymentOptions(admin.command('log').description('What operator commands did to this store.')).action(
    async (flags: DeploymentFlags) => {
      process.exitCode = await runAdmin('admin log', flags, showLog);
    },
  );
}

/** What a command prints: the JSON object, or lines of text. */
export interface Output {
  readonly json: unknown;
  readonly lines: readonly string[];
}

/** Runs an operator command on an open deployment; `name` is the command as typed (`admin log`). */
export async function runAdmin<F extends DeploymentFlags>(
  name: string,
  flags: F,
  fn: (d: Deployment, flags: F) => Promise<Output>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let d: Deployment | undefined;
  try {
    d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true });
    const out = await fn(d, flags);
    process.stdout.write(flags.json ? `${JSON.stringify(out.json)}\n` : `${out.lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    return reportFailure(name, err);
  } finally {
    await d?.close();
  }
}

export class AccountChoiceError extends Error {}

/** The account named by --account (id or alias), or the only account of the deployment. */
export async function chooseAccount(d: Deployment, flag: string | undefined): Promise<Account> {
  if (flag !== undefined) {
    const found = await d.domain.accounts.findByAliasOrId(flag);
    if (!found) throw new AccountChoiceError(`no account ${flag} in this deployment`);
    return found;
  }
  const all = await d.domain.accounts.list();
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new AccountChoiceError('this deployment has no account');
  throw new AccountChoiceError(
    `this deployment has ${all.length} accounts; choose one with --account ID (${all
      .slice(0, 5)
      .map((a) => a.accountId)
      .join(', ')}${all.length > 5 ? ', ...' : ''})`,
  );
}

export async function resetRootPassword(d: Deployment, flags: ResetFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  const generated = flags.password === undefined;
  // 32 characters of every class: whatever the account's password policy asks (at most 32).
  const password = flags.password ?? generatePassword(32);
  await d.domain.accounts.setRootPassword(account.accountId, password);
  await recordOperatorAction(d.store, {
    action: 'admin.reset-root-password',
    accountId: account.accountId,
    detail: { generated },
  });
  return {
    json: {
      AccountId: account.accountId,
      RootLoginName: account.rootLoginName,
      ...(generated ? { RootPassword: password } : {}),
    },
    lines: [
      `Reset the root password of account ${account.accountId}.`,
      `  root login:    ${account.rootLoginName}`,
      generated
        ? `  root password: ${password}  (shown once; change it after signing in)`
        : '  root password: as given',
    ],
  };
}

/**
 * Clears the root's logon lock-out (MaxLoginAttemps failures within an hour lock it for an
 * hour) and the failure counters of its login name, so the root can log on again at once.
 */
export async function unlockRoot(d: Deployment, flags: AccountFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  const unlocked = await d.domain.accounts.unlockRoot(account.accountId);
  await d.domain.logon.clearRootThrottle(account.accountId);
  await recordOperatorAction(d.store, {
    action: 'admin.unlock-root',
    accountId: account.accountId,
    detail: { unlocked },
  });
  const message = unlocked
    ? `unlocked the root logon of account ${account.accountId}`
    : `nothing was locked: the root logon of account ${account.accountId} was not locked`;
  return {
    json: {
      AccountId: account.accountId,
      RootLoginName: account.rootLoginName,
      Unlocked: unlocked,
      Message: message,
    },
    lines: [`${message[0]!.toUpperCase()}${message.slice(1)}.`],
  };
}

export async function createAdmin(d: Deployment, flags: CreateAdminFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  const accountId = account.accountId;
  const userName = flags.userName ?? DEFAULT_ADMIN_USER;
  const user = await d.domain.users.create(accountId, {
    userName,
    comments: 'Created by rampart admin create-admin',
  });
  let attached = false;
  try {
    await d.domain.attachments.attach(accountId, { kind: 'user', userName }, 'System', ADMIN_POLICY);
    attached = true;
    const key = await d.domain.accessKeys.create(accountId, userName);
    await recordOperatorAction(d.store, {
      action: 'admin.create-admin',
      accountId,
      detail: { userName, userId: user.userId, policy: ADMIN_POLICY, accessKeyId: key.accessKeyId },
    });
    return {
      json: {
        AccountId: accountId,
        UserName: userName,
        UserId: user.userId,
        PolicyName: ADMIN_POLICY,
        AccessKeyId: key.accessKeyId,
        AccessKeySecret: key.accessKeySecret,
      },
      lines: [
        `Created RAM user ${userName} (${user.userId}) in account ${accountId} with ${ADMIN_POLICY}.`,
        `  AccessKeyId:     ${key.accessKeyId}`,
        `  AccessKeySecret: ${key.accessKeySecret}  (shown once; store it now)`,
      ],
    };
  } catch (err) {
    // Leave no half-made administrator behind.
    if (attached) {
      await d.domain.attachments
        .detach(accountId, { kind: 'user', userName }, 'System', ADMIN_POLICY)
        .catch(() => undefined);
    }
    await d.domain.users.delete(accountId, userName).catch(() => undefined);
    throw err;
  }
}

/**
 * Another account of the deployment, with a generated root password (and, when asked, a root
 * AccessKey), as `rampart init` makes the first: standalone, so a resource directory can invite
 * it (members the directory creates cannot leave it).
 */
export async function createAccount(d: Deployment, flags: CreateAccountFlags): Promise<Output> {
  const created = await createFirstAccount(d, {
    ...(flags.alias !== undefined ? { accountAlias: flags.alias } : {}),
    rootAccessKey: flags.rootAccessKey === true,
  });
  await recordOperatorAction(d.store, {
    action: 'admin.create-account',
    accountId: created.AccountId,
    detail: {
      alias: created.AccountAlias,
      ...(created.AccessKeyId !== undefined ? { rootAccessKeyId: created.AccessKeyId } : {}),
    },
  });
  return {
    json: created,
    lines: [
      `Created account ${created.AccountId}${created.AccountAlias ? ` (${created.AccountAlias})` : ''}.`,
      `  root login:    ${created.RootLoginName}`,
      `  root password: ${created.RootPassword}  (shown once; change it after signing in)`,
      ...(created.AccessKeyId !== undefined
        ? [
            `  AccessKeyId:     ${created.AccessKeyId}`,
            `  AccessKeySecret: ${created.AccessKeySecret}  (shown once; a root key has every right: prefer create-admin)`,
          ]
        : []),
    ],
  };
}

async function showLog(d: Deployment): Promise<Output> {
  const entries = await listOperatorActions(d.store);
  return {
    json: { Actions: entries },
    lines:
      entries.length === 0
        ? ['No operator action recorded.']
        : entries.map(
            (e) =>
              `${e.at}  ${e.action}${e.accountId ? `  account ${e.accountId}` : ''}  by ${e.actor}  ${JSON.stringify(e.detail)}`,
          ),
  };
}
