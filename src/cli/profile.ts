import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Credentials of `rampart <product> <Action>`, from the aliyun CLI's own configuration file
 * (~/.aliyun/config.json, or --config-path, or ALIBABA_CLOUD_CONFIG_FILE), so that existing
 * profiles work unchanged, or from the environment variables of the official tools.
 *
 * Profile modes: AK, StsToken, RamRoleArn (the profile's own AccessKey assumes a role),
 * ChainableRamRoleArn (a source profile assumes it), CredentialsURI (fetched from a URI in the
 * credentials-URI provider's shape). Temporary credentials of the role modes are kept in a
 * cache file beside the configuration (mode 0600) and renewed five minutes before they expire.
 * A profile may hold `endpoint`, the Rampart endpoint its calls go to.
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

/** A profile as the aliyun CLI writes it (fields this tool does not use are kept as they are). */
export interface CliProfile {
  name: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  ram_role_arn?: string;
  ram_session_name?: string;
  source_profile?: string;
  expired_seconds?: number;
  external_id?: string;
  credentials_uri?: string;
  region_id?: string;
  output_format?: string;
  language?: string;
  /** Rampart: the endpoint the profile's calls go to (H:P or a base URL). */
  endpoint?: string;
  [other: string]: unknown;
}

export interface CliConfigFile {
  current?: string;
  profiles?: CliProfile[];
  [other: string]: unknown;
}

export const PROFILE_MODES = [
  'AK',
  'StsToken',
  'RamRoleArn',
  'ChainableRamRoleArn',
  'CredentialsURI',
] as const;

export function cliConfigPath(env: NodeJS.ProcessEnv, configPath?: string): string {
  return configPath ?? (env.ALIBABA_CLOUD_CONFIG_FILE || join(homedir(), '.aliyun', 'config.json'));
}

export function readConfigFile(path: string): CliConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as CliConfigFile;
  } catch {
    throw new CredentialsError(`${path} is not a valid configuration file (a JSON object)`);
  }
}

/**
 * Makes sure `dir` (and any missing parent) exists and that nobody else can swap what is written
 * there: a new directory is created 0700. An existing one open to others is
 * - refused, with nothing written, when it belongs to another user (its owner could read or
 *   swap the file), when it is shared (writable by every user, or sticky like /tmp; its mode is
 *   left alone, others depend on it), or when its group may write to it;
 * - tightened to 0700 when it is the default directory, `~/.aliyun`, which only holds
 *   credentials (another tool may have made it 0755);
 * - otherwise used as it is (a directory given with --config-path that others may only list:
 *   the file itself is 0600, and its directory's mode is the user's business).
 */
function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // POSIX modes and owners only (on Windows the mode bits mean nothing).
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  // Checked and changed through one descriptor, so what is checked is what is changed.
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const st = fstatSync(fd);
    if ((st.mode & 0o077) === 0) return;
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    const elsewhere = 'use a directory of your own (--config-path or ALIBABA_CLOUD_CONFIG_FILE)';
    if (st.uid !== process.getuid()) {
      throw new CredentialsError(
        `${dir} is open to other users (mode ${mode}) and belongs to another user (uid ${st.uid}): credentials are not written there; ${elsewhere}`,
      );
    }
    if ((st.mode & 0o1002) !== 0) {
      throw new CredentialsError(
        `${dir} is a shared directory (mode ${mode}: writable by every user, or sticky): credentials are not written there, and its mode is not changed; ${elsewhere}${st.mode & 0o1000 ? '' : `, or make this one private (chmod 700 ${dir})`}`,
      );
    }
    if (resolve(dir) === resolve(homedir(), '.aliyun')) {
      fchmodSync(fd, 0o700);
      return;
    }
    if ((st.mode & 0o020) !== 0) {
      throw new CredentialsError(
        `${dir} is writable by its group (mode ${mode}): credentials are not written there; ${elsewhere}, or make this one private (chmod 700 ${dir})`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A new temporary file beside `path`, created exclusively (O_CREAT|O_EXCL, mode 0600): a file
 * or symbolic link already at that name is never opened or followed; another name is tried.
 */
function createTemporary(path: string): { fd: number; tmp: string } {
  for (let attempt = 0; ; attempt++) {
    const tmp =
      attempt === 0
        ? `${path}.${process.pid}.tmp`
        : `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      return { fd: openSync(tmp, 'wx', 0o600), tmp };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
  }
}

/** Writes a file readable by its owner only (0600; its directory 0700), replacing it atomically. */
export function writePrivateJson(path: string, value: unknown): void {
  privateDirectory(dirname(path));
  const { fd, tmp } = createTemporary(path);
  try {
    try {
      // Exactly 0600 whatever the umask; through the descriptor of the file just created.
      fchmodSync(fd, 0o600);
      writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone (renamed, or never written)
    }
    throw err;
  }
}

export function findProfile(file: CliConfigFile, name: string): CliProfile | undefined {
  return file.profiles?.find((p) => p.name === name);
}

/** What assuming a role or fetching a URI needs: done by the caller (it knows HTTP and signing). */
export interface CredentialFetchers {
  assumeRole(
    source: CallCredentials,
    endpoint: string | undefined,
    role: { arn: string; sessionName: string; durationSeconds: number; externalId?: string },
  ): Promise<TemporaryCredentials>;
  fetchUri(uri: string): Promise<TemporaryCredentials>;
  /** New credentials of a console session (a profile written by rampart login). */
  fromSession(endpoint: string, cookie: string): Promise<TemporaryCredentials>;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  /** `YYYY-MM-DDThh:mm:ssZ`. */
  readonly expiration: string;
}

/** Temporary credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

function cachePath(configPath: string): string {
  return join(dirname(configPath), '.rampart-sts-cache.json');
}

type Cache = Record<string, TemporaryCredentials & { readonly key: string }>;

function readCache(path: string): Cache {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Cache;
  } catch {
    return {};
  }
}

export interface ResolveOptions {
  readonly profile?: string | undefined;
  readonly configPath?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly fetchers?: CredentialFetchers;
  readonly now?: () => Date;
  /**
   * The endpoint the command names (--endpoint, else RAMPART_ENDPOINT), if any. It wins over a
   * profile's own, for the roles assumed on the way as for the call itself.
   */
  readonly endpoint?: string | undefined;
}

export interface Resolved {
  readonly credentials: CallCredentials;
  /** The endpoint the profile names, if any. */
  readonly endpoint?: string;
  readonly region?: string;
}

/**
 * `--profile NAME` wins; then the environment variables; then the configuration file's
 * current profile (or ALIBABA_CLOUD_PROFILE).
 */
export async function resolveCredentials(opts: ResolveOptions): Promise<Resolved> {
  const path = cliConfigPath(opts.env, opts.configPath);
  if (opts.profile !== undefined) {
    const file = readConfigFile(path);
    if (!file) throw new CredentialsError(`cannot read ${path} for profile ${opts.profile}`);
    return fromProfile(path, file, opts.profile, opts, new Set());
  }
  const env = opts.env;
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (Boolean(id) !== Boolean(secret)) {
    throw new CredentialsError(
      id
        ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing (ALIBABA_CLOUD_ACCESS_KEY_ID is set)'
        : 'ALIBABA_CLOUD_ACCESS_KEY_ID is missing (ALIBABA_CLOUD_ACCESS_KEY_SECRET is set)',
    );
  }
  if (id && secret) {
    return {
      credentials: {
        accessKeyId: id,
        accessKeySecret: secret,
        ...(env.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
        source: 'environment',
      },
    };
  }
  if (env.ALIBABA_CLOUD_CREDENTIALS_URI && opts.fetchers) {
    const c = await opts.fetchers.fetchUri(env.ALIBABA_CLOUD_CREDENTIALS_URI);
    return { credentials: { ...c, source: 'ALIBABA_CLOUD_CREDENTIALS_URI' } };
  }
  const file = readConfigFile(path);
  const current = env.ALIBABA_CLOUD_PROFILE || file?.current;
  if (file && current) return fromProfile(path, file, current, opts, new Set());
  throw new CredentialsError(
    'no credentials: run rampart configure (or rampart login), use --profile NAME, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  );
}

async function fromProfile(
  path: string,
  file: CliConfigFile,
  name: string,
  opts: ResolveOptions,
  seen: Set<string>,
): Promise<Resolved> {
  const profile = findProfile(file, name);
  if (!profile) throw new CredentialsError(`profile ${name} not found in ${path}`);
  if (seen.has(name)) throw new CredentialsError(`profile ${name}: its source profiles form a loop`);
  seen.add(name);
  const mode = profile.mode ?? 'AK';
  const where = {
    ...(profile.endpoint ? { endpoint: profile.endpoint } : {}),
    ...(profile.region_id ? { region: profile.region_id } : {}),
  };
  const ownKey = (): CallCredentials => {
    if (!profile.access_key_id || !profile.access_key_secret) {
      throw new CredentialsError(`profile ${name}: access_key_id and access_key_secret are required`);
    }
    return {
      accessKeyId: profile.access_key_id,
      accessKeySecret: profile.access_key_secret,
      ...(mode === 'StsToken' && profile.sts_token ? { securityToken: profile.sts_token } : {}),
      source: `profile ${name}`,
    };
  };
  switch (mode) {
    case 'AK':
      return { credentials: ownKey(), ...where };
    case 'StsToken': {
      // A profile of rampart login: renewed from its session shortly before the credentials end.
      const session = profile.rampart_session;
      const expiration =
        typeof profile.sts_expiration === 'string' ? Date.parse(profile.sts_expiration) : NaN;
      const now = (opts.now ?? (() => new Date()))().getTime();
      if (typeof session === 'string' && profile.endpoint && !(expiration - RENEW_BEFORE_MS > now)) {
        const fresh = await need(opts.fetchers, name).fromSession(profile.endpoint, session);
        Object.assign(profile, {
          access_key_id: fresh.accessKeyId,
          access_key_secret: fresh.accessKeySecret,
          sts_token: fresh.securityToken,
          sts_expiration: fresh.expiration,
        });
        writePrivateJson(path, file);
      }
      return { credentials: ownKey(), ...where };
    }
    case 'RamRoleArn':
    case 'ChainableRamRoleArn': {
      if (!profile.ram_role_arn) throw new CredentialsError(`profile ${name}: ram_role_arn is required`);
      let source: Resolved;
      if (mode === 'RamRoleArn') source = { credentials: ownKey(), ...where };
      else {
        if (!profile.source_profile)
          throw new CredentialsError(`profile ${name}: source_profile is required`);
        source = await fromProfile(path, file, profile.source_profile, opts, seen);
      }
      const role = {
        arn: profile.ram_role_arn,
        sessionName: profile.ram_session_name || `rampart-cli-${Date.now()}`,
        durationSeconds: Number(profile.expired_seconds ?? 3600) || 3600,
        ...(profile.external_id ? { externalId: profile.external_id } : {}),
      };
      const stsEndpoint = opts.endpoint ?? where.endpoint ?? source.endpoint;
      // Cached credentials are used only where, and as, they were obtained: the same server and
      // the same ExternalId, as well as the same role and source key.
      const key = JSON.stringify([
        mode,
        role.arn,
        source.credentials.accessKeyId,
        stsEndpoint ?? '',
        role.externalId ?? '',
      ]);
      const temp = await cached(path, name, key, opts, () =>
        need(opts.fetchers, name).assumeRole(source.credentials, stsEndpoint, role),
      );
      return {
        credentials: { ...temp, source: `profile ${name} (role ${role.arn})` },
        ...where,
        ...(where.endpoint || !source.endpoint ? {} : { endpoint: source.endpoint }),
      };
    }
    case 'CredentialsURI': {
      if (!profile.credentials_uri)
        throw new CredentialsError(`profile ${name}: credentials_uri is required`);
      const temp = await need(opts.fetchers, name).fetchUri(profile.credentials_uri);
      return { credentials: { ...temp, source: `profile ${name} (credentials URI)` }, ...where };
    }
    default:
      throw new CredentialsError(
        `profile ${name}: mode ${mode} is not supported (use ${PROFILE_MODES.join(', ')})`,
      );
  }
}

function need(f: CredentialFetchers | undefined, name: string): CredentialFetchers {
  if (!f) throw new CredentialsError(`profile ${name} needs a network call to get its credentials`);
  return f;
}

async function cached(
  configPath: string,
  profile: string,
  key: string,
  opts: ResolveOptions,
  fetch: () => Promise<TemporaryCredentials>,
): Promise<TemporaryCredentials> {
  const path = cachePath(configPath);
  const now = (opts.now ?? (() => new Date()))().getTime();
  const cache = readCache(path);
  const hit = cache[profile];
  if (hit && hit.key === key && Date.parse(hit.expiration) - RENEW_BEFORE_MS > now) return hit;
  const fresh = await fetch();
  cache[profile] = { ...fresh, key };
  writePrivateJson(path, cache);
  return fresh;
}
