/**
 * The options of the operator commands that act on a deployment's store directly
 * (`rampart keys ...`, `rampart admin ...`): where the store is and where its master key is.
 */
import type { Command } from 'commander';
import {
  checkDeploymentModes,
  ConfigError,
  databaseUrlOption,
  keySource,
  masterKeyOptions,
  passwordHashOptions,
} from '../config.js';
import { AlreadyInitializedError, NotInitializedError, type OpenDeploymentOptions } from '../server.js';

export interface DeploymentFlags {
  readonly data?: string;
  readonly databaseUrl?: string;
  readonly masterKeyFile?: string;
  readonly json?: boolean;
}

/** Adds --data, --database-url, --master-key-file and --json to a command. */
export function withDeploymentOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (or RAMPART_DATA)')
    .option('--database-url <url>', 'postgres://... when the store is PostgreSQL (or RAMPART_DATABASE_URL)')
    .option(
      '--master-key-file <path>',
      'master key file (or RAMPART_MASTER_KEY_FILE; default DIR/master.key)',
    )
    .option('--json', 'print the result as one JSON object');
}

/**
 * The store and key options from flags and environment; throws ConfigError, also for a data
 * directory or master key file open to other users (checkDeploymentModes).
 */
export function deploymentOptions(
  flags: DeploymentFlags,
  env: NodeJS.ProcessEnv = process.env,
): Pick<OpenDeploymentOptions, 'dataDir' | 'databaseUrl' | 'masterKey' | 'masterKeyFile' | 'scrypt'> {
  const dataDir = flags.data ?? env.RAMPART_DATA;
  if (!dataDir) throw new ConfigError('a data directory is required (--data DIR or RAMPART_DATA)');
  const keys = masterKeyOptions(flags, env);
  checkDeploymentModes(dataDir, keySource(dataDir, keys));
  return {
    dataDir,
    databaseUrl: databaseUrlOption(flags.databaseUrl ?? (env.RAMPART_DATABASE_URL || undefined)),
    ...keys,
    ...passwordHashOptions(env),
  };
}

/**
 * Writes the one-line reason of a failed operator command to stderr and returns its exit
 * code: 2 for configuration (including a master key that cannot open the store), 1 else.
 */
export function reportFailure(command: string, err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`rampart ${command}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof NotInitializedError || err instanceof AlreadyInitializedError) {
    process.stderr.write(`rampart ${command}: ${err.message}\n`);
    return 1;
  }
  const e = err as { code?: unknown; message?: unknown };
  process.stderr.write(
    `rampart ${command}: ${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}\n`,
  );
  return 1;
}
