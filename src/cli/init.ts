import type { Command } from 'commander';
import { ConfigError, masterKeyOptions, passwordHashOptions } from '../config.js';
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
  try {
    const result = await initialize({
      dataDir,
      databaseUrl: flags.databaseUrl ?? (env.RAMPART_DATABASE_URL || undefined),
      ...masterKeyOptions(flags, env),
      ...passwordHashOptions(env),
      accountAlias: flags.accountAlias,
      rootPassword: flags.rootPassword ?? (env.RAMPART_ROOT_PASSWORD || undefined),
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
