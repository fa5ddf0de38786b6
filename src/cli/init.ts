import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  checkDeploymentModes,
  ConfigError,
  databaseUrlOption,
  keySource,
  masterKeyOptions,
  passwordHashOptions,
  type KeySource,
} from '../config.js';
import { checkAlias } from '../domain/accounts.js';
import { defaultPasswordPolicy, requireStrongPassword } from '../domain/password-policy.js';
import { sqliteFile } from '../store/index.js';
import { AlreadyInitializedError, initialize } from '../server.js';

interface InitFlags {
  readonly data?: string;
  readonly json?: boolean;
  readonly accountAlias?: string;
  readonly rootPassword?: string;
  readonly rootAccessKey?: boolean;
  readonly databaseUrl?: string;
  readonly masterKeyFile?: string;
}

/**
 * `rampart init --data DIR --json [--account-alias A] [--root-password P] [--root-access-key]
 * [--database-url URL] [--master-key-file PATH]`
 */
export function register(program: Command): void {
  program
    .command('init')
    .description('Create a data directory with one account and print its root login.')
    .option('--data <dir>', 'data directory (or RAMPART_DATA)')
    .option('--json', 'print the result as one JSON object')
    .option('--account-alias <alias>', 'alias of the account')
    .option('--root-password <password>', 'root password (or RAMPART_ROOT_PASSWORD; generated when absent)')
    .option('--root-access-key', 'also create an AccessKey of the root account (discouraged)')
    .option('--database-url <url>', 'postgres://... to use PostgreSQL (or RAMPART_DATABASE_URL)')
    .option(
      '--master-key-file <path>',
      'master key file, created when missing (or RAMPART_MASTER_KEY_FILE; default DIR/master.key)',
    )
    .action(async (flags: InitFlags) => {
      process.exitCode = await runInit(flags);
    });
}

export async function runInit(flags: InitFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const dataDir = flags.data ?? env.RAMPART_DATA;
  if (!dataDir) {
    process.stderr.write('rampart init: a data directory is required (--data DIR or RAMPART_DATA)\n');
    return 2;
  }
  let undo: (() => void) | undefined;
  try {
    const keys = masterKeyOptions(flags, env);
    const databaseUrl = databaseUrlOption(flags.databaseUrl ?? (env.RAMPART_DATABASE_URL || undefined));
    checkDeploymentModes(dataDir, keySource(dataDir, keys));
    const accountAlias = flags.accountAlias;
    const rootPassword = flags.rootPassword ?? (env.RAMPART_ROOT_PASSWORD || undefined);
    // The first account's alias and password are checked before anything is created.
    if (accountAlias !== undefined) checkAlias(accountAlias);
    if (rootPassword !== undefined) requireStrongPassword(defaultPasswordPolicy, rootPassword, 'Password');
    undo = undoInit(dataDir, keySource(dataDir, keys), databaseUrl !== undefined);
    const result = await initialize({
      dataDir,
      databaseUrl,
      ...keys,
      ...passwordHashOptions(env),
      accountAlias,
      rootPassword,
      rootAccessKey: flags.rootAccessKey ?? false,
    });
    if (flags.rootAccessKey) {
      process.stderr.write(
        'warning: an AccessKey of the root account has full power over the account; prefer RAM users with least privilege.\n',
      );
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const lines = [
        `Initialized ${dataDir}`,
        `  account id:      ${result.AccountId}`,
        `  root login:      ${result.RootLoginName}`,
        `  root password:   ${result.RootPassword}`,
      ];
      if (result.AccessKeyId) {
        lines.push(
          `  AccessKeyId:     ${result.AccessKeyId}`,
          `  AccessKeySecret: ${result.AccessKeySecret}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } catch (err) {
    // Nothing half-made is left for a second try to refuse.
    if (!(err instanceof AlreadyInitializedError)) undo?.();
    if (err instanceof AlreadyInitializedError) {
      process.stderr.write(`rampart init: ${err.message}; refusing to initialize it again\n`);
      return 1;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`rampart init: ${err.message}\n`);
      return 2;
    }
    const e = err as { code?: unknown; message?: unknown };
    process.stderr.write(
      `rampart init: ${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}\n`,
    );
    return 1;
  }
}

/**
 * What removes again the files `rampart init` is about to create, should it fail midway: the data
 * directory (and the parents) it makes, else the master key file and the SQLite database that
 * are not there yet. A PostgreSQL database is left as it is (the alias and password, the usual
 * reasons to fail, are checked before it is touched).
 */
function undoInit(dataDir: string, key: KeySource, postgres: boolean): () => void {
  let missing: string | undefined;
  for (let dir = resolve(dataDir); !existsSync(dir); dir = dirname(dir)) {
    missing = dir;
    if (dirname(dir) === dir) break;
  }
  const keyFile = key.kind === 'file' && !existsSync(key.path) ? key.path : undefined;
  const database = postgres || existsSync(sqliteFile(dataDir)) ? undefined : sqliteFile(dataDir);
  return () => {
    if (keyFile) rmSync(keyFile, { force: true });
    if (database)
      for (const f of [database, `${database}-wal`, `${database}-shm`]) rmSync(f, { force: true });
    if (missing) rmSync(missing, { recursive: true, force: true });
  };
}
