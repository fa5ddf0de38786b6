import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSealer, generateMasterKey, parseMasterKey, type Sealer } from './crypto/seal.js';
import type { Quotas } from './domain/index.js';

/**
 * Deployment configuration: command-line flags first, then RAMPART_* environment
 * variables, then defaults.
 *
 *   --data DIR            RAMPART_DATA           data directory (SQLite database, master.key)
 *   --host H              RAMPART_HOST           default 127.0.0.1
 *   --port P              RAMPART_PORT           default 8080; 0 picks a free port
 *   --database-url URL    RAMPART_DATABASE_URL   postgres://... selects PostgreSQL
 *                         RAMPART_MASTER_KEY     64 hex chars or base64 of 32 bytes; else DIR/master.key
 *                         RAMPART_ROOT_PASSWORD  root password of the first account (first start)
 *                         RAMPART_QUOTAS         JSON object of deployment quota overrides
 *                         RAMPART_BODY_LIMIT     request body limit in bytes (default 1 MiB)
 */
export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly masterKey: string | undefined;
  readonly rootPassword: string | undefined;
  readonly quotas: Partial<Quotas> | undefined;
  readonly bodyLimit: number;
}

export interface ServeFlags {
  readonly data?: string;
  readonly host?: string;
  readonly port?: string | number;
  readonly databaseUrl?: string;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
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

export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = flags.data ?? env.RAMPART_DATA;
  if (!dataDir) throw new ConfigError('a data directory is required: --data DIR or RAMPART_DATA');
  const bodyLimit = env.RAMPART_BODY_LIMIT ? Number(env.RAMPART_BODY_LIMIT) : DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024)
    throw new ConfigError('RAMPART_BODY_LIMIT must be >= 1024');
  return {
    dataDir,
    host: flags.host ?? env.RAMPART_HOST ?? DEFAULT_HOST,
    port: parsePort(flags.port ?? env.RAMPART_PORT ?? DEFAULT_PORT),
    databaseUrl: flags.databaseUrl ?? (env.RAMPART_DATABASE_URL || undefined),
    masterKey: env.RAMPART_MASTER_KEY || undefined,
    rootPassword: env.RAMPART_ROOT_PASSWORD || undefined,
    quotas: parseQuotas(env.RAMPART_QUOTAS),
    bodyLimit,
  };
}

/** The master key id is derived from the key, so it is stable across restarts. */
function keyId(key: Uint8Array): string {
  return `mk${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, MASTER_KEY_FILE);
}

/**
 * The sealer of the deployment: RAMPART_MASTER_KEY when set, else DIR/master.key. With
 * `create`, a missing key file is generated (mode 0600).
 */
export function loadSealer(dataDir: string, masterKey: string | undefined, create = false): Sealer {
  let key: Uint8Array;
  if (masterKey) {
    key = parseMasterKey(masterKey);
  } else {
    const file = masterKeyPath(dataDir);
    if (existsSync(file)) {
      key = parseMasterKey(readFileSync(file, 'utf8'));
    } else if (create) {
      key = generateMasterKey();
      writeFileSync(file, `${Buffer.from(key).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } else {
      throw new ConfigError(`no master key: set RAMPART_MASTER_KEY or initialize ${dataDir} (rampart init)`);
    }
  }
  return createSealer([{ id: keyId(key), key }]);
}
