/**
 * `rampart configure`: named profiles in the aliyun CLI's own file and format
 * (~/.aliyun/config.json, or --config-path, or ALIBABA_CLOUD_CONFIG_FILE; mode 0600), so a
 * user's existing profiles work and the ones written here work with the aliyun CLI too.
 *   configure [--profile P] [--mode AK]            interactive (the secret is not echoed)
 *   configure set --profile P --mode M [fields]    non-interactive, as the aliyun CLI takes it
 *   configure get [--profile P]                    one profile, secrets masked
 *   configure list                                 every profile, secrets masked
 *   configure delete --profile P
 */
import type { Command } from 'commander';
import {
  cliConfigPath,
  findProfile,
  PROFILE_MODES,
  readConfigFile,
  writePrivateJson,
  type CliConfigFile,
  type CliProfile,
} from './profile.js';
import { createPrompter, NoInputError } from './prompt.js';

interface ConfigureFlags {
  readonly profile?: string;
  readonly mode?: string;
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly stsToken?: string;
  readonly ramRoleArn?: string;
  readonly roleSessionName?: string;
  readonly sourceProfile?: string;
  readonly expiredSeconds?: string;
  readonly externalId?: string;
  readonly credentialsUri?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly configPath?: string;
}

const FIELDS: readonly [keyof ConfigureFlags, keyof CliProfile][] = [
  ['accessKeyId', 'access_key_id'],
  ['accessKeySecret', 'access_key_secret'],
  ['stsToken', 'sts_token'],
  ['ramRoleArn', 'ram_role_arn'],
  ['roleSessionName', 'ram_session_name'],
  ['sourceProfile', 'source_profile'],
  ['externalId', 'external_id'],
  ['credentialsUri', 'credentials_uri'],
  ['region', 'region_id'],
  ['endpoint', 'endpoint'],
];

/** What each mode needs. */
const REQUIRED: Readonly<Record<string, readonly (keyof CliProfile)[]>> = {
  AK: ['access_key_id', 'access_key_secret'],
  StsToken: ['access_key_id', 'access_key_secret', 'sts_token'],
  RamRoleArn: ['access_key_id', 'access_key_secret', 'ram_role_arn'],
  ChainableRamRoleArn: ['source_profile', 'ram_role_arn'],
  CredentialsURI: ['credentials_uri'],
};

/**
 * The fields `configure get` and `list` mask: every one that can stand in for a credential.
 * Rampart's own (`rampart_session` is the console session of `rampart login`: it answers
 * /logon/session and mints credentials through /logon/credentials), and those the aliyun CLI
 * writes for its other modes, which are kept in the file as they are.
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'access_key_secret',
  'sts_token',
  'credentials_uri',
  'rampart_session',
  'private_key',
  'access_token',
  'oauth_access_token',
  'oauth_refresh_token',
  'bearer_token',
]);

export class ConfigureError extends Error {}

/** `****` and the last four characters of a secret (`****` alone for a short one, or one that is not a string). */
function maskValue(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return v;
  return typeof v === 'string' && v.length > 8 ? `****${v.slice(-4)}` : '****';
}

function mask(p: CliProfile): CliProfile {
  const out: CliProfile = { ...p };
  for (const k of Object.keys(out)) if (SECRET_FIELDS.has(k)) out[k] = maskValue(out[k]);
  return out;
}

/** The profile after `set`: the fields given replace the stored ones; the mode's required ones must be there. */
export function setProfile(file: CliConfigFile, flags: ConfigureFlags): CliConfigFile {
  const name = flags.profile ?? 'default';
  const existing = findProfile(file, name);
  const mode = flags.mode ?? existing?.mode ?? 'AK';
  if (!(PROFILE_MODES as readonly string[]).includes(mode)) {
    throw new ConfigureError(`unknown mode ${mode}: use ${PROFILE_MODES.join(', ')}`);
  }
  const next: CliProfile = { ...(existing ?? {}), name, mode };
  for (const [flag, field] of FIELDS) {
    const v = flags[flag];
    if (v !== undefined) next[field] = v;
  }
  if (flags.expiredSeconds !== undefined) {
    const n = Number(flags.expiredSeconds);
    if (!Number.isInteger(n) || n < 900 || n > 43200) {
      throw new ConfigureError('--expired-seconds must be a whole number from 900 to 43200');
    }
    next.expired_seconds = n;
  }
  if (next.endpoint !== undefined && !/^(https?:\/\/)?[^/\s]+\/?$/i.test(String(next.endpoint))) {
    throw new ConfigureError(`--endpoint must be H:P or a base URL: ${String(next.endpoint)}`);
  }
  const missing = (REQUIRED[mode] ?? []).filter((f) => !next[f]);
  if (missing.length) {
    throw new ConfigureError(
      `mode ${mode} needs ${missing.map((f) => `--${String(f).replace(/_/g, '-').replace('ram-session-name', 'role-session-name').replace('region-id', 'region')}`).join(', ')}`,
    );
  }
  if (mode === 'ChainableRamRoleArn' && !findProfile(file, String(next.source_profile))) {
    throw new ConfigureError(`source profile ${String(next.source_profile)} does not exist`);
  }
  const profiles = (file.profiles ?? []).filter((p) => p.name !== name);
  return { ...file, current: file.current ?? name, profiles: [...profiles, next] };
}

async function interactive(file: CliConfigFile, flags: ConfigureFlags): Promise<CliConfigFile> {
  const name = flags.profile ?? 'default';
  const existing = findProfile(file, name);
  const mode = flags.mode ?? 'AK';
  if (mode !== 'AK' && mode !== 'StsToken') {
    throw new ConfigureError(`interactive configure takes AK or StsToken; use configure set for ${mode}`);
  }
  process.stderr.write(`Configuring profile '${name}' in ${mode} mode...\n`);
  // One reader for every question: piped answers are taken a line each, in order.
  const prompter = createPrompter();
  try {
    return await questions(prompter.ask, name, mode, existing, file);
  } finally {
    prompter.close();
  }
}

async function questions(
  ask: (question: string, hidden?: boolean) => Promise<string>,
  name: string,
  mode: string,
  existing: CliProfile | undefined,
  file: CliConfigFile,
): Promise<CliConfigFile> {
  /** The current value of a field that is not secret, offered as the default. */
  const keep = (v: unknown) => (typeof v === 'string' && v ? ` [${v}]` : '');
  const id = (await ask(`Access Key Id${keep(existing?.access_key_id)}: `)) || existing?.access_key_id;
  const secret = (await ask('Access Key Secret: ', true)) || existing?.access_key_secret;
  const token = mode === 'StsToken' ? (await ask('Sts Token: ', true)) || existing?.sts_token : undefined;
  const region =
    (await ask(`Default Region Id${keep(existing?.region_id ?? 'cn-hangzhou')}: `)) ||
    existing?.region_id ||
    'cn-hangzhou';
  const endpoint =
    (await ask(`Rampart endpoint${keep(existing?.endpoint ?? '127.0.0.1:8080')}: `)) ||
    existing?.endpoint ||
    '127.0.0.1:8080';
  return setProfile(file, {
    profile: name,
    mode,
    ...(id ? { accessKeyId: id } : {}),
    ...(secret ? { accessKeySecret: secret } : {}),
    ...(token ? { stsToken: token } : {}),
    region,
    endpoint,
  });
}

export function register(program: Command): void {
  const withPath = (cmd: Command) =>
    cmd.option(
      '--config-path <path>',
      'the configuration file (default ~/.aliyun/config.json or ALIBABA_CLOUD_CONFIG_FILE)',
    );
  const configure = withPath(
    program
      .command('configure')
      .description('Profiles of credentials, in the aliyun CLI configuration file and format.')
      .option('--profile <name>', 'profile name', 'default')
      .option('--mode <mode>', `AK (default) or StsToken; other modes: configure set`)
      .enablePositionalOptions(),
  ).action(async (flags: ConfigureFlags) => {
    process.exitCode = await edit(flags, (file) => interactive(file, flags));
  });
  const set = configure
    .command('set')
    .description('Set a profile non-interactively, as the aliyun CLI takes it.')
    .option('--profile <name>', 'profile name', 'default')
    .option('--mode <mode>', PROFILE_MODES.join(', '))
    .option('--access-key-id <id>')
    .option('--access-key-secret <secret>')
    .option('--sts-token <token>')
    .option('--ram-role-arn <arn>')
    .option('--role-session-name <name>')
    .option('--source-profile <name>', 'ChainableRamRoleArn: the profile that assumes the role')
    .option('--expired-seconds <seconds>', 'role session length (900 to 43200)')
    .option('--external-id <id>')
    .option('--credentials-uri <uri>')
    .option('--region <region>')
    .option('--endpoint <endpoint>', 'the Rampart endpoint of the profile (H:P or a base URL)');
  withPath(set).action(async (flags: ConfigureFlags) => {
    process.exitCode = await edit(flags, async (file) => setProfile(file, flags));
  });
  withPath(
    configure
      .command('get')
      .description('One profile, secrets masked.')
      .option('--profile <name>', 'profile name'),
  ).action((flags: ConfigureFlags) => {
    process.exitCode = show(flags, (file) => {
      const name = flags.profile ?? file.current ?? 'default';
      const p = findProfile(file, name);
      if (!p) throw new ConfigureError(`profile ${name} not found`);
      return mask(p);
    });
  });
  withPath(configure.command('list').description('Every profile, secrets masked.')).action(
    (flags: ConfigureFlags) => {
      process.exitCode = show(flags, (file) => ({
        current: file.current,
        profiles: (file.profiles ?? []).map(mask),
      }));
    },
  );
  withPath(
    configure
      .command('delete')
      .description('Remove a profile.')
      .requiredOption('--profile <name>', 'profile name'),
  ).action(async (flags: ConfigureFlags) => {
    process.exitCode = await edit(flags, async (file) => {
      if (!findProfile(file, flags.profile!)) throw new ConfigureError(`profile ${flags.profile} not found`);
      const profiles = (file.profiles ?? []).filter((p) => p.name !== flags.profile);
      const rest: CliConfigFile = { ...file, profiles };
      if (file.current === flags.profile) {
        if (profiles[0]) rest.current = profiles[0].name;
        else delete rest.current;
      }
      return rest;
    });
  });
}

async function edit(
  flags: ConfigureFlags,
  change: (file: CliConfigFile) => Promise<CliConfigFile>,
): Promise<number> {
  const path = cliConfigPath(process.env, flags.configPath);
  try {
    let file: CliConfigFile;
    try {
      file = readConfigFile(path) ?? { current: '', profiles: [] };
    } catch (err) {
      // A file that is not valid is refused as `configure list` and `get` refuse it: exit 2.
      throw new ConfigureError((err as Error).message);
    }
    const next = await change(file);
    if (!next.current) next.current = next.profiles?.[0]?.name ?? '';
    writePrivateJson(path, next);
    process.stderr.write(`saved ${path}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`rampart configure: ${(err as Error).message}\n`);
    return err instanceof ConfigureError || err instanceof NoInputError ? 2 : 1;
  }
}

function show(flags: ConfigureFlags, pick: (file: CliConfigFile) => unknown): number {
  const path = cliConfigPath(process.env, flags.configPath);
  try {
    const file = readConfigFile(path);
    if (!file) throw new ConfigureError(`no configuration at ${path}: run rampart configure`);
    process.stdout.write(`${JSON.stringify(pick(file), null, 2)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`rampart configure: ${(err as Error).message}\n`);
    return 2;
  }
}
