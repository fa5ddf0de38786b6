/**
 * The organization as code:
 *   plan -f org.yaml [--prune]                                what apply would change
 *   apply -f org.yaml [--prune] [--secrets-file F] [--yes]    converge the account to the file
 *   export                                                     the live account as an org file
 * Through the API, with the credentials and endpoint of `rampart <product> <Action>`
 * (--profile, --endpoint, --config-path, the environment). See docs/cli.md.
 */
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import { apiCall, ApiCallError, DEFAULT_ENDPOINT, endpointUrl, networkFetchers } from './call.js';
import { CredentialsError, resolveCredentials } from './profile.js';
import { readLive, type RamCall } from './org/live.js';
import { OrgFileError, readOrgFile } from './org/model.js';
import { plan, type Change } from './org/plan.js';
import { exportYaml } from './org/export.js';
import { SecretsFile } from './org/secrets-file.js';

interface OrgFlags {
  readonly file?: string;
  readonly prune?: boolean;
  readonly secretsFile?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly configPath?: string;
  readonly color?: boolean;
}

async function ramCaller(flags: OrgFlags): Promise<RamCall> {
  const env = process.env;
  const fallback = flags.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT);
  const resolved = await resolveCredentials({
    endpoint: flags.endpoint ?? (env.RAMPART_ENDPOINT || undefined),
    profile: flags.profile,
    configPath: flags.configPath,
    env,
    fetchers: networkFetchers(fallback),
  });
  const url = endpointUrl(flags.endpoint ?? (env.RAMPART_ENDPOINT || resolved.endpoint || DEFAULT_ENDPOINT));
  return async (action, params = {}) => {
    try {
      return await apiCall(url, '2015-05-01', action, Object.entries(params), resolved.credentials);
    } catch (err) {
      if (err instanceof ApiCallError) {
        throw Object.assign(new Error(`${action}: ${err.code ?? err.status}: ${messageOf(err.body)}`), {
          code: err.code,
        });
      }
      throw err;
    }
  };
}

function messageOf(body: string): string {
  try {
    return String((JSON.parse(body) as { Message?: string }).Message ?? body);
  } catch {
    return body.slice(0, 300);
  }
}

const MARK = { create: '+', update: '~', delete: '-' } as const;
const COLOUR = { create: '\u001b[32m', update: '\u001b[33m', delete: '\u001b[31m' } as const;

export function formatPlan(changes: readonly Change[], colour: boolean): string {
  if (!changes.length) return 'No changes. The account matches the file.';
  const paint = (c: Change, s: string) => (colour ? `${COLOUR[c.kind]}${s}\u001b[0m` : s);
  const lines = changes.map((c) =>
    paint(c, `  ${MARK[c.kind]} ${c.subject}${c.detail ? ` (${c.detail})` : ''}`),
  );
  const count = (k: Change['kind']) => changes.filter((c) => c.kind === k).length;
  return [
    ...lines,
    '',
    `Plan: ${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete.`,
  ].join('\n');
}

function common(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'profile of the configuration file')
    .option('--endpoint <endpoint>', 'H:P or a base URL (or RAMPART_ENDPOINT)')
    .option('--config-path <path>', 'the configuration file');
}

function fail(command: string, err: unknown): number {
  if (err instanceof OrgFileError) {
    process.stderr.write(
      `rampart ${command}: the file has ${err.problems.length} problem(s):\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
    return 2;
  }
  if (err instanceof CredentialsError || err instanceof ConfigError) {
    process.stderr.write(`rampart ${command}: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`rampart ${command}: ${(err as Error).message}\n`);
  return 1;
}

/** The exit status of a command stopped by a signal, as a shell reports it: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/**
 * Writes the secret a change created to the secrets file. A write that fails stops the apply
 * and names the secret lost (it is never printed).
 */
function saveSecret(file: SecretsFile, c: Change, answer: Record<string, unknown>): void {
  const user = c.secret!.user;
  const key = answer.AccessKey as { AccessKeyId?: string; AccessKeySecret?: string } | undefined;
  try {
    file.add(
      c.secret!.kind === 'password'
        ? { UserName: user, Password: c.params.Password }
        : { UserName: user, AccessKeyId: key?.AccessKeyId, AccessKeySecret: key?.AccessKeySecret },
    );
  } catch (err) {
    const lost =
      c.secret!.kind === 'password'
        ? `the password of ${user} is lost: set a new one (rampart ram UpdateLoginProfile)`
        : `the secret of AccessKey ${key?.AccessKeyId} of ${user} is lost: delete the key (rampart ram DeleteAccessKey) and apply again`;
    throw new Error(`cannot write ${file.path}: ${(err as Error).message}; ${lost}`);
  }
}

export function register(program: Command): void {
  common(
    program
      .command('plan')
      .description('Show what apply would change to make the account match an organization file.')
      .requiredOption('-f, --file <file>', 'the organization file (YAML)')
      .option('--prune', 'also remove what the file does not name')
      .option('--no-color', 'no colours'),
  ).action(async (flags: OrgFlags) => {
    try {
      const file = readOrgFile(flags.file!);
      const changes = plan(file, await readLive(await ramCaller(flags)), flags.prune === true);
      process.stdout.write(
        `${formatPlan(changes, flags.color !== false && process.stdout.isTTY === true)}\n`,
      );
      process.exitCode = 0;
    } catch (err) {
      process.exitCode = fail('plan', err);
    }
  });

  common(
    program
      .command('apply')
      .description('Make the account match an organization file, in dependency order.')
      .requiredOption('-f, --file <file>', 'the organization file (YAML)')
      .option('--prune', 'also remove what the file does not name')
      .option(
        '--secrets-file <file>',
        'where the passwords and AccessKey secrets it creates go, each as soon as it is created (mode 0600; must not exist)',
      )
      .option('--no-color', 'no colours'),
  ).action(async (flags: OrgFlags) => {
    // The secrets file is checked before the account is read, and made before the first change.
    const secretsFile = flags.secretsFile ? new SecretsFile(flags.secretsFile) : undefined;
    try {
      const file = readOrgFile(flags.file!);
      secretsFile?.check();
      const call = await ramCaller(flags);
      const changes = plan(file, await readLive(call), flags.prune === true);
      const secretive = changes.filter((c) => c.secret);
      if (secretive.length && !flags.secretsFile) {
        throw new OrgFileError([
          `apply creates ${secretive.map((c) => c.subject).join(', ')}: name a file for their secrets with --secrets-file FILE (they are never printed)`,
        ]);
      }
      const colour = flags.color !== false && process.stderr.isTTY === true;
      // An interrupt lets the change in progress end, so that a secret it creates is saved
      // (a second one stops at once).
      let stoppedBy: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stoppedBy) process.exit(signalExitCode(signal));
        stoppedBy = signal;
        process.stderr.write(
          `rampart apply: ${signal}: stopping after the change in progress (again to stop at once)\n`,
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let done = 0;
      try {
        if (secretive.length) secretsFile!.create();
        for (const c of changes) {
          if (stoppedBy) break;
          const answer = await call(c.action, c.params);
          done++;
          if (c.secret) saveSecret(secretsFile!, c, answer);
          const line = `[${done}/${changes.length}] ${MARK[c.kind]} ${c.subject}`;
          process.stderr.write(`${colour ? `${COLOUR[c.kind]}${line}\u001b[0m` : line}\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        secretsFile?.removeIfEmpty();
      }
      const saved = secretsFile?.count ? ` Secrets written to ${secretsFile.path}.` : '';
      if (stoppedBy && done < changes.length) {
        process.stderr.write(
          `rampart apply: stopped by ${stoppedBy} after ${done} of ${changes.length} change(s).${saved} Run plan to see what is left.\n`,
        );
        process.exitCode = signalExitCode(stoppedBy);
        return;
      }
      process.stdout.write(
        changes.length
          ? `Apply complete: ${done} change(s).${saved}\n`
          : 'No changes. The account matches the file.\n',
      );
      process.exitCode = 0;
    } catch (err) {
      process.exitCode = fail('apply', err);
      if (secretsFile?.count) {
        process.stderr.write(
          `rampart apply: the ${secretsFile.count} secret(s) created before it are in ${secretsFile.path}\n`,
        );
      }
    }
  });

  common(
    program.command('export').description('Write the live account as an organization file (YAML) on stdout.'),
  ).action(async (flags: OrgFlags) => {
    try {
      process.stdout.write(exportYaml(await readLive(await ramCaller(flags))));
      process.exitCode = 0;
    } catch (err) {
      process.exitCode = fail('export', err);
    }
  });
}
