import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import {
  createSealer,
  generateMasterKey,
  parseMasterKeys,
  sealedKeyId,
  type Sealer,
  type SealKey,
} from './crypto/seal.js';
import type { Quotas } from './domain/index.js';
import { isPostgresUrl } from './store/postgres/open.js';
import { defaultScryptParams, type ScryptParams } from './crypto/password-hash.js';
import type { AuditSinkConfig } from './audit/sinks/index.js';
import { WEBHOOK_URL_CREDENTIALS } from './audit/sinks/webhook-url.js';

/**
 * Deployment configuration: command-line flags first, then RAMPART_* environment
 * variables, then defaults.
 *
 *   --data DIR               RAMPART_DATA              data directory (SQLite database, master.key)
 *   --host H                 RAMPART_HOST              default 127.0.0.1
 *   --port P                 RAMPART_PORT              default 8080; 0 picks a free port
 *   --database-url URL       RAMPART_DATABASE_URL      postgres://... selects PostgreSQL
 *   --master-key-file PATH   RAMPART_MASTER_KEY_FILE   the master key file, instead of DIR/master.key
 *                            RAMPART_MASTER_KEY        the master key itself (64 hex chars or base64)
 *   --tls-cert FILE          RAMPART_TLS_CERT          serve HTTPS with this PEM certificate (chain)
 *   --tls-key FILE           RAMPART_TLS_KEY           ... and this PEM private key
 *   --trusted-proxies CIDRS  RAMPART_TRUSTED_PROXIES   peers whose X-Forwarded-For/-Proto are believed
 *                            RAMPART_HEADERS_TIMEOUT_MS  time to receive a request's headers (30000)
 *                            RAMPART_REQUEST_TIMEOUT_MS  time to receive a whole request (60000)
 *                            RAMPART_ROOT_PASSWORD     root password of the first account (first start)
 *                            RAMPART_QUOTAS            JSON object of deployment quota overrides
 *                            RAMPART_SCRYPT_COST       log2 of scrypt's N for new password hashes (15; 10 - 18)
 *                            RAMPART_BODY_LIMIT        request body limit in bytes (default 1 MiB)
 *                            RAMPART_PUBLIC_URL        public base URL of SAML metadata and ACS URLs
 *                            RAMPART_OIDC_PRIVATE_ISSUERS  `allow`: read OIDC issuers on private networks
 *                            RAMPART_AUDIT             on (default) or off: record the audit trail
 *                            RAMPART_AUDIT_RETENTION_DAYS  days events are kept by default (90)
 *                            RAMPART_AUDIT_FILE        JSON Lines file sink (rotated)
 *                            RAMPART_AUDIT_FILE_MAX_BYTES  rotate past this size (100 MiB)
 *                            RAMPART_AUDIT_FILE_KEEP   rotated files kept (10)
 *                            RAMPART_AUDIT_WEBHOOK_URL  webhook sink (batched POSTs, disk spool)
 *                            RAMPART_AUDIT_WEBHOOK_TOKEN  sent as Authorization: Bearer
 *                            RAMPART_AUDIT_WEBHOOK_BATCH  events per POST (100)
 *                            RAMPART_AUDIT_SINK_POLL_MS  how often sinks look for events (1000)
 *                            RAMPART_AUDIT_SINK_MAX_BACKOFF_MS  longest retry pause (30000)
 *                            RAMPART_DB_POOL_SIZE      PostgreSQL connections per node (10)
 *                            RAMPART_DB_CONNECT_TIMEOUT_MS  wait for a connection at most (5000)
 *                            RAMPART_DB_STATEMENT_TIMEOUT_MS  cancel a statement after (30000; 0: never)
 *                            RAMPART_SQLITE_WRITER_THREAD  on (default) or off: SQLite writes of nonces and audit batches on a thread of their own
 *                            RAMPART_LOG_LEVEL         JSON log level: debug, info (default), warn, error, silent
 *                            RAMPART_SHUTDOWN_GRACE_MS  SIGTERM: in-flight requests get this long (3000)
 */
export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly masterKey: string | undefined;
  readonly masterKeyFile: string | undefined;
  readonly rootPassword: string | undefined;
  readonly quotas: Partial<Quotas> | undefined;
  /** RAMPART_SCRYPT_COST: the cost of new password hashes, when not the default. */
  readonly scrypt?: ScryptParams;
  readonly bodyLimit: number;
  /** PEM files of the HTTPS certificate and key; both or neither. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Peers whose X-Forwarded-For and X-Forwarded-Proto are believed. Empty: nobody's. */
  readonly trustedProxies: readonly Cidr[];
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Record the audit trail (RAMPART_AUDIT=off turns it off; docs/audit.md). */
  readonly auditEnabled: boolean;
  /** Days audit events are kept where the account sets no retention of its own. */
  readonly auditRetentionDays: number;
  /** The export sinks (docs/audit.md). */
  readonly auditSinks: AuditSinkConfig;
  /** PostgreSQL pool and timeouts (docs/scaling.md). */
  readonly database?: DatabaseOptions;
  /** The level of the JSON log on stdout (src/ops/log.ts). */
  readonly logLevel?: LogLevel;
  /** How long SIGTERM lets in-flight requests finish before their connections are cut. */
  readonly shutdownGraceMs?: number;
  /** The public base URL (RAMPART_PUBLIC_URL) SAML metadata and assertions name; default the listening URL. */
  readonly publicUrl?: string | undefined;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface DatabaseOptions {
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** SQLite: nonce claims and buffered audit appends run on a writer thread (default on). */
  readonly sqliteWriterThread: boolean;
  /** SQLite: rows of hot reads kept in memory while the file is unchanged (default on). */
  readonly sqliteRowCache: boolean;
}

/** RAMPART_DB_* (pool size and timeouts of PostgreSQL), RAMPART_SQLITE_WRITER_THREAD and RAMPART_SQLITE_ROW_CACHE. */
export function parseDatabaseOptions(env: NodeJS.ProcessEnv): DatabaseOptions {
  const statement = env.RAMPART_DB_STATEMENT_TIMEOUT_MS;
  return {
    poolSize: positiveInt('RAMPART_DB_POOL_SIZE', env.RAMPART_DB_POOL_SIZE, 10, 1000),
    connectTimeoutMs: parseMillis('RAMPART_DB_CONNECT_TIMEOUT_MS', env.RAMPART_DB_CONNECT_TIMEOUT_MS, 5000),
    statementTimeoutMs:
      statement === '0' ? 0 : parseMillis('RAMPART_DB_STATEMENT_TIMEOUT_MS', statement, 30_000),
    sqliteWriterThread: onOff('RAMPART_SQLITE_WRITER_THREAD', env.RAMPART_SQLITE_WRITER_THREAD),
    sqliteRowCache: onOff('RAMPART_SQLITE_ROW_CACHE', env.RAMPART_SQLITE_ROW_CACHE),
  };
}

function onOff(name: string, text: string | undefined): boolean {
  const value = (text || 'on').toLowerCase();
  if (value !== 'on' && value !== 'off') throw new ConfigError(`${name} must be on or off`);
  return value === 'on';
}

function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text || 'info').toLowerCase();
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error' || level === 'silent')
    return level;
  throw new ConfigError('RAMPART_LOG_LEVEL must be debug, info, warn, error or silent');
}

export interface ServeFlags {
  readonly data?: string;
  readonly host?: string;
  readonly port?: string | number;
  readonly databaseUrl?: string;
  readonly masterKeyFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly trustedProxies?: string;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const MASTER_KEY_FILE = 'master.key';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parsePort(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`invalid port: ${value}`);
  return n;
}

function parseQuotas(text: string | undefined): Partial<Quotas> | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('RAMPART_QUOTAS must be a JSON object');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('RAMPART_QUOTAS must be a JSON object');
  }
  for (const [k, v] of Object.entries(parsed)) {
    if (!Number.isInteger(v) || (v as number) < 0)
      throw new ConfigError(`RAMPART_QUOTAS.${k} must be a whole number`);
  }
  return parsed as Partial<Quotas>;
}

function parseMillis(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 100)
    throw new ConfigError(`${name} must be a whole number of milliseconds >= 100`);
  return n;
}

/** An IPv4 or IPv6 block: `203.0.113.0/24`, `2001:db8::/32`, or one address. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses `CIDR,CIDR,...` (spaces allowed); a bare address is a block of one. */
export function parseTrustedProxies(text: string | undefined): Cidr[] {
  if (!text) return [];
  return text
    .split(/[\s,]+/)
    .filter((w) => w.length > 0)
    .map((w) => {
      const slash = w.indexOf('/');
      const address = slash < 0 ? w : w.slice(0, slash);
      const v = isIP(address);
      if (v === 0) throw new ConfigError(`trusted proxies: ${w} is not an IPv4/IPv6 address or CIDR block`);
      const max = v === 4 ? 32 : 128;
      const prefixText = slash < 0 ? String(max) : w.slice(slash + 1);
      const prefix = Number(prefixText);
      if (!/^\d{1,3}$/.test(prefixText) || prefix > max)
        throw new ConfigError(`trusted proxies: ${w} has an invalid prefix length`);
      return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
    });
}

/** RAMPART_PUBLIC_URL: an http(s) URL without query or fragment; kept without a trailing slash. */
function parsePublicUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('RAMPART_PUBLIC_URL must be an http:// or https:// URL');
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username) {
    throw new ConfigError('RAMPART_PUBLIC_URL must be an http:// or https:// URL without query or user');
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Bounds of RAMPART_SCRYPT_COST: 1 MiB to 256 MiB of memory a hash (r = 8). */
const SCRYPT_COST_MIN = 10;
const SCRYPT_COST_MAX = 18;

/**
 * RAMPART_SCRYPT_COST: the cost of new password hashes as log2 of scrypt's N (default 15, 32 MiB
 * and some tens of milliseconds a hash). Higher on faster hardware; lower only for test
 * deployments, where each logon and password change would otherwise spend that time (`rampart
 * serve` warns). Hashes carry their own cost, so existing ones stay verifiable either way.
 */
export function passwordHashOptions(env: NodeJS.ProcessEnv = process.env): { scrypt?: ScryptParams } {
  const text = env.RAMPART_SCRYPT_COST;
  if (text === undefined || text === '') return {};
  const logN = Number(text);
  if (!/^\d+$/.test(text) || logN < SCRYPT_COST_MIN || logN > SCRYPT_COST_MAX)
    throw new ConfigError(
      `RAMPART_SCRYPT_COST must be a whole number from ${SCRYPT_COST_MIN} to ${SCRYPT_COST_MAX} (log2 of scrypt's N; default ${defaultScryptParams.logN})`,
    );
  return { scrypt: { ...defaultScryptParams, logN } };
}

/**
 * A database URL given (--database-url, RAMPART_DATABASE_URL) must name PostgreSQL: any other
 * (a typo, `mysql://...`) is refused rather than taken for "no URL", the local SQLite store.
 */
export function databaseUrlOption(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  if (!isPostgresUrl(url))
    throw new ConfigError('the database URL must be a postgres:// or postgresql:// URL');
  return url;
}

export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = flags.data ?? env.RAMPART_DATA;
  if (!dataDir) throw new ConfigError('a data directory is required: --data DIR or RAMPART_DATA');
  const bodyLimit = env.RAMPART_BODY_LIMIT ? Number(env.RAMPART_BODY_LIMIT) : DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024)
    throw new ConfigError('RAMPART_BODY_LIMIT must be >= 1024');
  const certFile = flags.tlsCert ?? (env.RAMPART_TLS_CERT || undefined);
  const keyFile = flags.tlsKey ?? (env.RAMPART_TLS_KEY || undefined);
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigError('HTTPS needs both --tls-cert FILE and --tls-key FILE');
  for (const f of [certFile, keyFile]) {
    if (f !== undefined && !existsSync(f)) throw new ConfigError(`no such TLS file: ${f}`);
  }
  const headersTimeoutMs = parseMillis(
    'RAMPART_HEADERS_TIMEOUT_MS',
    env.RAMPART_HEADERS_TIMEOUT_MS,
    DEFAULT_HEADERS_TIMEOUT_MS,
  );
  const requestTimeoutMs = parseMillis(
    'RAMPART_REQUEST_TIMEOUT_MS',
    env.RAMPART_REQUEST_TIMEOUT_MS,
    Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs),
  );
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError('RAMPART_HEADERS_TIMEOUT_MS must not exceed RAMPART_REQUEST_TIMEOUT_MS');
  const keys = masterKeyOptions(flags, env);
  const audit = (env.RAMPART_AUDIT || 'on').toLowerCase();
  if (audit !== 'on' && audit !== 'off') throw new ConfigError('RAMPART_AUDIT must be on or off');
  const retentionText = env.RAMPART_AUDIT_RETENTION_DAYS;
  // Digits only: Number() would also take `1e3`, `0x10` and ` 7`.
  const retention = retentionText ? (/^[0-9]{1,5}$/.test(retentionText) ? Number(retentionText) : NaN) : 90;
  if (!Number.isInteger(retention) || retention < 1 || retention > 36500)
    throw new ConfigError('RAMPART_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500');
  return {
    dataDir,
    host: flags.host ?? env.RAMPART_HOST ?? DEFAULT_HOST,
    port: parsePort(flags.port ?? env.RAMPART_PORT ?? DEFAULT_PORT),
    databaseUrl: databaseUrlOption(flags.databaseUrl ?? (env.RAMPART_DATABASE_URL || undefined)),
    masterKey: keys.masterKey,
    masterKeyFile: keys.masterKeyFile,
    rootPassword: env.RAMPART_ROOT_PASSWORD || undefined,
    quotas: parseQuotas(env.RAMPART_QUOTAS),
    ...passwordHashOptions(env),
    bodyLimit,
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    trustedProxies: parseTrustedProxies(flags.trustedProxies ?? env.RAMPART_TRUSTED_PROXIES),
    headersTimeoutMs,
    requestTimeoutMs,
    auditEnabled: audit === 'on',
    auditRetentionDays: retention,
    auditSinks: parseAuditSinks(env),
    database: parseDatabaseOptions(env),
    logLevel: parseLogLevel(env.RAMPART_LOG_LEVEL),
    shutdownGraceMs: parseMillis('RAMPART_SHUTDOWN_GRACE_MS', env.RAMPART_SHUTDOWN_GRACE_MS, 3000),
    publicUrl: parsePublicUrl(env.RAMPART_PUBLIC_URL),
  };
}

function positiveInt(
  name: string,
  text: string | undefined,
  dflt: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined || text === '') return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

function parseAuditSinks(env: NodeJS.ProcessEnv): AuditSinkConfig {
  const file = env.RAMPART_AUDIT_FILE || undefined;
  const url = env.RAMPART_AUDIT_WEBHOOK_URL || undefined;
  if (url !== undefined) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ConfigError('RAMPART_AUDIT_WEBHOOK_URL is not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ConfigError('RAMPART_AUDIT_WEBHOOK_URL must be an http:// or https:// URL');
    if (u.username !== '' || u.password !== '') throw new ConfigError(WEBHOOK_URL_CREDENTIALS);
  }
  return {
    file: file
      ? {
          path: file,
          maxBytes: positiveInt(
            'RAMPART_AUDIT_FILE_MAX_BYTES',
            env.RAMPART_AUDIT_FILE_MAX_BYTES,
            100 * 1024 * 1024,
          ),
          keep: positiveInt('RAMPART_AUDIT_FILE_KEEP', env.RAMPART_AUDIT_FILE_KEEP, 10, 1000),
        }
      : undefined,
    webhook: url
      ? {
          url,
          token: env.RAMPART_AUDIT_WEBHOOK_TOKEN || undefined,
          batch: positiveInt('RAMPART_AUDIT_WEBHOOK_BATCH', env.RAMPART_AUDIT_WEBHOOK_BATCH, 100, 10_000),
        }
      : undefined,
    pollMs: positiveInt('RAMPART_AUDIT_SINK_POLL_MS', env.RAMPART_AUDIT_SINK_POLL_MS, 1000, 3_600_000),
    maxBackoffMs: positiveInt(
      'RAMPART_AUDIT_SINK_MAX_BACKOFF_MS',
      env.RAMPART_AUDIT_SINK_MAX_BACKOFF_MS,
      30_000,
      3_600_000,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// The master key

/**
 * Where the master key comes from, in this order: --master-key-file, RAMPART_MASTER_KEY,
 * RAMPART_MASTER_KEY_FILE, DIR/master.key. Setting both environment variables is an error.
 */
export function masterKeyOptions(
  flags: { readonly masterKeyFile?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): { masterKey: string | undefined; masterKeyFile: string | undefined } {
  if (flags.masterKeyFile) return { masterKey: undefined, masterKeyFile: flags.masterKeyFile };
  const masterKey = env.RAMPART_MASTER_KEY || undefined;
  const masterKeyFile = env.RAMPART_MASTER_KEY_FILE || undefined;
  if (masterKey && masterKeyFile)
    throw new ConfigError('set RAMPART_MASTER_KEY or RAMPART_MASTER_KEY_FILE, not both');
  return { masterKey, masterKeyFile };
}

/** The master key id is derived from the key, so it is stable across restarts. */
export function masterKeyId(key: Uint8Array): string {
  return `mk${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, MASTER_KEY_FILE);
}

/** The master keys of a deployment come from a file or from RAMPART_MASTER_KEY. */
export type KeySource =
  | { readonly kind: 'env'; readonly text: string; readonly label: string }
  | { readonly kind: 'file'; readonly path: string; readonly label: string };

export function keySource(
  dataDir: string,
  opts: { readonly masterKey?: string | undefined; readonly masterKeyFile?: string | undefined },
): KeySource {
  if (opts.masterKeyFile) return { kind: 'file', path: opts.masterKeyFile, label: opts.masterKeyFile };
  if (opts.masterKey) return { kind: 'env', text: opts.masterKey, label: 'RAMPART_MASTER_KEY' };
  const path = masterKeyPath(dataDir);
  return { kind: 'file', path, label: path };
}

/**
 * The loaded master keys of a node and the sealer over them. The first key seals; every key
 * unseals. A keyring read from a file follows the file: before each seal, and when a value
 * sealed under a key it does not hold comes along, it looks at the file again and, when it
 * changed, takes its keys (first one sealing) while keeping the ones it already had. So a
 * running node picks up a rotation (`rampart keys rotate`) without a restart.
 */
export interface MasterKeyring {
  readonly source: KeySource;
  readonly sealer: Sealer;
  /** The ids of the keys held now; the first seals. */
  ids(): readonly string[];
}

function toSealKeys(keys: readonly Uint8Array[]): SealKey[] {
  const out: SealKey[] = [];
  for (const key of keys) {
    const id = masterKeyId(key);
    if (!out.some((k) => k.id === id)) out.push({ id, key });
  }
  return out;
}

function parseKeyText(text: string, label: string): SealKey[] {
  try {
    return toSealKeys(parseMasterKeys(text));
  } catch (err) {
    throw new ConfigError(`the master key in ${label} is not valid: ${(err as Error).message}`);
  }
}

function fileStamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return 'missing';
  }
}

/** A keyring of fixed keys (RAMPART_MASTER_KEY, or tests). */
export function fixedKeyring(source: KeySource, keys: readonly SealKey[]): MasterKeyring {
  const sealer = createSealer(keys);
  const ids = keys.map((k) => k.id);
  return { source, sealer, ids: () => ids };
}

function fileKeyring(source: KeySource & { kind: 'file' }, initial: SealKey[]): MasterKeyring {
  let keys = initial;
  let sealer = createSealer(keys);
  let stamp = fileStamp(source.path);
  const refresh = (): boolean => {
    const now = fileStamp(source.path);
    if (now === stamp) return false;
    stamp = now;
    try {
      const fresh = parseKeyText(readFileSync(source.path, 'utf8'), source.label);
      keys = [...fresh, ...keys.filter((k) => !fresh.some((f) => f.id === k.id))];
      sealer = createSealer(keys);
      return true;
    } catch {
      // A file that cannot be read now changes nothing: the keys held stay.
      return false;
    }
  };
  const holds = (sealed: string): boolean => {
    const id = sealedKeyId(sealed);
    return id === undefined || keys.some((k) => k.id === id);
  };
  const unseal = (sealed: string, context?: string): Buffer => {
    if (!holds(sealed)) refresh();
    return sealer.unseal(sealed, context);
  };
  return {
    source,
    ids: () => keys.map((k) => k.id),
    sealer: {
      seal(plaintext, context) {
        refresh();
        return sealer.seal(plaintext, context);
      },
      unseal,
      unsealText: (sealed, context) => unseal(sealed, context).toString('utf8'),
    },
  };
}

/** The keyring of a source; undefined when its file does not exist. */
export function readKeyring(source: KeySource): MasterKeyring | undefined {
  if (source.kind === 'env') return fixedKeyring(source, parseKeyText(source.text, source.label));
  if (!existsSync(source.path)) return undefined;
  return fileKeyring(source, parseKeyText(readFileSync(source.path, 'utf8'), source.label));
}

/**
 * Refuses (ConfigError), as ssh refuses a private key others can read, a deployment other users
 * could take over: a data directory its group or others may write to (they could put a database
 * and a master key of their own in place, with a root password they know), and a master key file
 * its group or others may read or write. What Rampart creates passes: directories 0700, key
 * files 0600. A directory or file not there yet is not checked (it is created private).
 */
export function checkDeploymentModes(dataDir: string | undefined, source: KeySource | undefined): void {
  // POSIX modes only (on Windows the mode bits mean nothing).
  if (process.platform === 'win32') return;
  const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');
  if (dataDir !== undefined) {
    const st = statSync(dataDir, { throwIfNoEntry: false });
    if (st?.isDirectory() && (st.mode & 0o022) !== 0) {
      throw new ConfigError(
        `${dataDir} is writable by ${st.mode & 0o002 ? 'other users' : 'its group'} (mode ${octal(st.mode)}): whoever can write there can replace the database or the master key; make it private: chmod 700 ${dataDir}`,
      );
    }
  }
  if (source?.kind === 'file') {
    const st = statSync(source.path, { throwIfNoEntry: false });
    if (st?.isFile() && (st.mode & 0o077) !== 0) {
      throw new ConfigError(
        `${source.path} is open to ${st.mode & 0o007 ? 'other users' : 'its group'} (mode ${octal(st.mode)}): the master key opens every secret of the deployment; make it private: chmod 600 ${source.path}`,
      );
    }
  }
}

/** Creates a directory (and its parents) readable by the owner only. */
export function makePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The text of a key file: one key per line in hex, the first one sealing. */
export function keyFileText(keys: readonly Uint8Array[]): string {
  const lines = keys.map((k) => Buffer.from(k).toString('hex'));
  if (lines.length > 1) {
    lines.unshift('# Rampart master keys: the first seals, the others are only read (rotation in progress).');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes a file of mode 0600 atomically: a temporary file in the same directory, flushed,
 * then renamed over the target. Readers see the old content or the new, never a part.
 * With `exclusive`, the target must not exist yet: the temporary file is linked to its name
 * instead (which fails with EEXIST, as an exclusive open would, when another process made it
 * first), then removed. A write that fails midway (a full disk) leaves no file at the target.
 */
export function writePrivateFileAtomically(
  path: string,
  text: string,
  opts: { readonly exclusive?: boolean } = {},
): void {
  makePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    if (opts.exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
  } finally {
    // After a rename the temporary name is gone already; after a link or a failure it is removed.
    rmSync(tmp, { force: true });
  }
}

/** The temporary files writePrivateFileAtomically names for `path`: `PATH.<pid>.<8 hex>.tmp`. */
function temporaryNamesOf(path: string): RegExp {
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${name}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
}

/** A temporary file older than this is stale whatever its pid: a write takes milliseconds. */
const TEMPORARY_STALE_MS = 10 * 60 * 1000;

const processRuns = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the temporary files writePrivateFileAtomically left beside `path` when its process was
 * killed between the write and the rename (a key file's hold a key, and nothing else would ever
 * remove them). Only names of the writer's own pattern in `path`'s directory, only regular files
 * of this user, and only stale ones: of this process (which has none open between two writes),
 * of a process no longer running, or older than ten minutes (a reused pid). Nothing reads them:
 * a file is read by its exact path. Returns the paths removed.
 */
export function removeStaleTemporaries(path: string, now: number = Date.now()): string[] {
  const dir = dirname(path);
  const pattern = temporaryNamesOf(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no directory yet: nothing was left in it
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    try {
      const st = lstatSync(file);
      if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
      const pid = Number(m[1]);
      if (pid !== process.pid && processRuns(pid) && now - st.mtimeMs <= TEMPORARY_STALE_MS) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // Gone meanwhile, or not ours to remove: the write goes on.
    }
  }
  return removed;
}

/**
 * Generates a new master key into a key file that must not exist yet (mode 0600), written whole
 * or not at all: a start that fails midway leaves no short key file for the next one to trip on.
 */
export function createKeyFile(source: KeySource & { kind: 'file' }): MasterKeyring {
  const key = generateMasterKey();
  removeStaleTemporaries(source.path);
  writePrivateFileAtomically(source.path, keyFileText([key]), { exclusive: true });
  return fileKeyring(source, toSealKeys([key]));
}

/** The key material of a keyring's source, by id (for rewriting a key file). */
export function readKeyMaterial(source: KeySource): Map<string, Uint8Array> {
  const text = source.kind === 'env' ? source.text : readFileSync(source.path, 'utf8');
  return new Map(parseKeyText(text, source.label).map((k) => [k.id, k.key]));
}
