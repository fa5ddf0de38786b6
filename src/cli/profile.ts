import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Credentials for `rampart <product> <Action>`: a profile of the aliyun CLI configuration
 * file (~/.aliyun/config.json, or ALIBABA_CLOUD_CONFIG_FILE), or the environment variables
 * ALIBABA_CLOUD_ACCESS_KEY_ID / _ACCESS_KEY_SECRET / _SECURITY_TOKEN.
 */
export interface CallCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  /** Where they came from, for error messages. */
  readonly source: string;
}

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

interface CliProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  endpoint?: string;
}

interface CliConfigFile {
  current?: string;
  profiles?: CliProfile[];
}

export function cliConfigPath(env: NodeJS.ProcessEnv): string {
  return env.ALIBABA_CLOUD_CONFIG_FILE || join(homedir(), '.aliyun', 'config.json');
}

function readConfigFile(path: string): CliConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as CliConfigFile;
  } catch {
    throw new CredentialsError(`${path} is not valid JSON`);
  }
}

function fromProfile(path: string, file: CliConfigFile, name: string): CallCredentials {
  const profile = file.profiles?.find((p) => p.name === name);
  if (!profile) throw new CredentialsError(`profile ${name} not found in ${path}`);
  const mode = profile.mode ?? 'AK';
  if (mode !== 'AK' && mode !== 'StsToken') {
    throw new CredentialsError(`profile ${name}: mode ${mode} is not supported (use AK or StsToken)`);
  }
  if (!profile.access_key_id || !profile.access_key_secret) {
    throw new CredentialsError(`profile ${name}: access_key_id and access_key_secret are required`);
  }
  return {
    accessKeyId: profile.access_key_id,
    accessKeySecret: profile.access_key_secret,
    ...(mode === 'StsToken' && profile.sts_token ? { securityToken: profile.sts_token } : {}),
    source: `profile ${name}`,
  };
}

/**
 * `--profile NAME` wins; then the environment variables; then the configuration file's
 * current profile.
 */
export function resolveCredentials(profile: string | undefined, env: NodeJS.ProcessEnv): CallCredentials {
  const path = cliConfigPath(env);
  if (profile !== undefined) {
    const file = readConfigFile(path);
    if (!file) throw new CredentialsError(`cannot read ${path} for profile ${profile}`);
    return fromProfile(path, file, profile);
  }
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (id && secret) {
    return {
      accessKeyId: id,
      accessKeySecret: secret,
      ...(env.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
      source: 'environment',
    };
  }
  const file = readConfigFile(path);
  const current = env.ALIBABA_CLOUD_PROFILE || file?.current;
  if (file && current) return fromProfile(path, file, current);
  throw new CredentialsError(
    'no credentials: use --profile NAME or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  );
}
