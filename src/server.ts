/**
 * The composition root: configuration, store, sealer, domain, services, action registry,
 * pipeline, and one HTTP listener for the API (`/`), `/healthz` and `/readyz`.
 *
 * The listener is node:http directly rather than a framework: the API is one route whose
 * parsing (query + form body, signatures over raw bytes) must see the request exactly as
 * sent, and a bare listener keeps the per-request overhead to the work the API needs.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import { createAuthorizer } from './api/authorize.js';
import { ApiError, apiError, apiErrorWithStatus } from './errors.js';
import { runPipeline, type PipelineEnv } from './api/pipeline.js';
import { newRequestId } from './api/protocol/request.js';
import { errorResponse } from './api/protocol/response.js';
import type { WireRequest, WireResponse } from './api/protocol/wire.js';
import { ramActions } from './api/ram/index.js';
import { answerLogon, isLogonPath } from './api/logon/routes.js';
import { createSessionAuthorizer } from './api/logon/self-service.js';
import {
  consoleRedirect,
  isBrowserVisit,
  isConsolePath,
  loadConsoleFiles,
  sendConsoleAnswer,
} from './api/console/static.js';
import { resourceManagerActions } from './api/resourcemanager/index.js';
import { stsActions } from './api/sts/index.js';
import { imsActions } from './api/ims/index.js';
import { actiontrailActions } from './api/actiontrail/index.js';
import { createAuditRecorder, type AuditRecorder } from './audit/recorder.js';
import { idleChangeEvents, workloadCredentialEvent } from './audit/system-events.js';
import { lookupEvents } from './audit/query.js';
import { expireEvents } from './audit/retention.js';
import { sealLostCheckpoints } from './audit/checkpoint-repair.js';
import { checkAuditSinks, startAuditSinks } from './audit/sinks/index.js';
import { createRegistry, type AnyActionDefinition } from './api/registry.js';
import type { Services } from './domain/request-services.js';
import {
  ConfigError,
  createKeyFile,
  keySource,
  makePrivateDir,
  masterKeyPath,
  readKeyring,
  type Cidr,
  type DatabaseOptions,
  type MasterKeyring,
  type ServerConfig,
} from './config.js';
import { normalizeIp } from './api/request-context.js';
import type { ScryptParams } from './crypto/password-hash.js';
import type { Sealer } from './crypto/seal.js';
import { admitKeyring, keyRecords, MasterKeyError, storeHasData } from './master-keys.js';
import { createDomain } from './domain/create.js';
import type { Domain, Quotas } from './domain/index.js';
import { createServices } from './domain/services.js';
import { startPeriodicJob, type PeriodicJob } from './ops/jobs.js';
import { createJobGate } from './ops/job-lease.js';
import { createMetrics } from './ops/metrics.js';
import { createRequestLog, requestOutcome } from './ops/log.js';
import { isPostgresUrl, openStore, sqliteFile, type Store } from './store/index.js';
import { rampartActions } from './api/rampart/index.js';
import { bucketPolicyReader } from './analysis/buckets.js';
import { closeSolver } from './analysis/solver.js';
import { createCatalog } from './oss/catalog.js';
import { createBlobFiles } from './oss/files.js';
import { setAsideDatabases } from './store/copy.js';
import { createOssHandler } from './oss/handler.js';
import { AUTHORIZE_PATH, createAuthorizationPoint, ossResourcePolicy } from './api/authorization-point.js';
import { isValidBucketName } from './oss/names.js';
import { answerSso, isSsoPath, SSO_BODY_LIMIT } from './api/sso/routes.js';

const OSS_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
/**
 * The age from which a start removes an object file no row names, or an upload's temporary
 * file: another process on the same folder may be writing a younger one, or committing the row
 * that names it.
 */
const SWEEP_AFTER_MS = 60 * 60 * 1000;
const ROUTE_ACTIONS = new Set([
  '/logon',
  '/logoff',
  '/logon/session',
  '/logon/mfa',
  '/logon/password',
  '/logon/bind-mfa',
  '/logon/unbind-mfa',
  '/logon/credentials',
  '/logon/webauthn/options',
  '/logon/webauthn/credentials',
  '/logon/webauthn/register-options',
  '/logon/webauthn/register',
  '/logon/webauthn/delete',
  '/saml/SSO',
  '/saml/start',
  '/saml/status',
  '/saml/SpMetadata.xml',
  '/saml-role/sso',
  '/saml-role/select',
  '/saml-role/sp-metadata.xml',
  '/authorize',
]);

/** The service and action labels of a request beside the RPC API (bounded sets, never the caller's words). */
function routeLabels(path: string): [string, string] {
  if (path.startsWith(WORKLOAD_CREDENTIALS_PATH)) return ['workload', 'GetWorkloadCredentials'];
  if (path === '/console' || path.startsWith('/console/')) return ['console', 'static'];
  const service =
    path === '/authorize'
      ? 'rampart'
      : path.startsWith('/saml')
        ? 'sso'
        : path === '/logoff' || path === '/logon' || path.startsWith('/logon/')
          ? 'logon'
          : 'other';
  return [service, ROUTE_ACTIONS.has(path) ? path : 'unknown'];
}

/** Where workloads fetch their role credentials: `GET /workload/credentials/<binding token>`. */
export const WORKLOAD_CREDENTIALS_PATH = '/workload/credentials/';

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The largest body a logon call may send. */
const LOGON_BODY_LIMIT = 16 * 1024;

/**
 * Strict-Transport-Security of an answer over TLS: a year, this host only (a deployment on a
 * name whose other subdomains still serve plain HTTP is not broken by it).
 */
const HSTS = 'max-age=31536000';

/** The Host of an OSS request as ali-oss sends it (`<bucket>.oss-<region>.aliyuncs.com`, or `<bucket>.localhost`). */
const OSS_HOST = /^[^.:]*\.(?:oss-[a-z0-9-]+\.aliyuncs\.com|localhost)(?::\d+)?$/i;

/**
 * Whether a request is for the OSS data plane: addressed to an OSS host, or signed the OSS
 * way (Authorization `OSS ...` / `OSS4-HMAC-SHA256 ...`, or a presigned URL). Cheap checks
 * on two headers and the URL; an API request goes on untouched.
 */
function isOssRequest(req: IncomingMessage, url: string): boolean {
  const host = req.headers.host;
  if (host !== undefined && OSS_HOST.test(host)) return true;
  const auth = req.headers.authorization;
  if (auth !== undefined && (auth.startsWith('OSS ') || auth.startsWith('OSS4-HMAC-SHA256 '))) return true;
  return url.includes('OSSAccessKeyId=') || url.includes('x-oss-signature=');
}

/** How often expired audit events are removed (also at start). */
const AUDIT_RETENTION_EVERY_MS = 60 * 60 * 1000;

/** How often the idle-credentials job runs (it also runs at start). */
const IDLE_CREDENTIALS_EVERY_MS = 60 * 60 * 1000;

/** Every action the deployment serves. Adding a service adds its list here. */
export function allActions(): readonly AnyActionDefinition[] {
  return [
    ...ramActions,
    ...imsActions,
    ...stsActions,
    ...actiontrailActions,
    ...resourceManagerActions,
    ...rampartActions,
  ];
}

/** The parts a running deployment is made of. */
export interface Deployment {
  readonly store: Store;
  readonly sealer: Sealer;
  /** The master keys this process holds (the first seals). */
  readonly keyring: MasterKeyring;
  readonly domain: Domain;
  readonly services: Services;
  /** The clock every part reads (tests inject one to move time). */
  readonly clock: () => Date;
  /** The audit trail's recorder (src/audit/recorder.ts). */
  readonly audit: AuditRecorder;
  close(): Promise<void>;
}

/** What LookupEvents page tokens are sealed for (src/api/actiontrail/lookup-events.ts). */
const PAGE_TOKEN_CONTEXT = 'actiontrail:LookupEvents:NextToken';

export interface OpenDeploymentOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  /** The master key(s) as text (RAMPART_MASTER_KEY); else the key file. */
  readonly masterKey?: string | undefined;
  /** The master key file; default DIR/master.key. Wins over masterKey. */
  readonly masterKeyFile?: string | undefined;
  readonly quotas?: Partial<Quotas> | undefined;
  /** The cost of new password hashes (RAMPART_SCRYPT_COST); default defaultScryptParams. */
  readonly scrypt?: ScryptParams | undefined;
  /**
   * The clock of the domain, the request path and the background jobs. Only in-process tests
   * give one (there is no flag or variable for it): expiry, lockout and idle credentials are
   * then tested by moving time.
   */
  readonly clock?: () => Date;
  /**
   * Generate the master key file when it is missing and the store holds no deployment yet
   * (first start). A key is never generated for a store that holds one.
   */
  readonly createKey?: boolean;
  /** Refuse, with AlreadyInitializedError, a store that already holds a deployment (init). */
  readonly requireEmpty?: boolean;
  /** Refuse, with NotInitializedError, a store that holds no deployment (operator commands). */
  readonly requireExisting?: boolean;
  /** Record the audit trail (default true). */
  readonly audit?: boolean;
  /** PostgreSQL pool size and timeouts (RAMPART_DB_*). */
  readonly database?: DatabaseOptions | undefined;
}

export class NotInitializedError extends Error {
  constructor(where: string) {
    super(`${where} holds no deployment; create one with rampart init`);
    this.name = 'NotInitializedError';
  }
}

/**
 * Opens the store of a deployment and the master keys that open it: the data directory is
 * created with mode 0700; the keys come from masterKeyFile, masterKey or DIR/master.key and
 * must open the store (src/master-keys.ts admitKeyring), else MasterKeyError with a
 * one-line reason.
 */
export async function openDeployment(opts: OpenDeploymentOptions): Promise<Deployment> {
  const postgres = isPostgresUrl(opts.databaseUrl);
  if (opts.requireExisting && !postgres && !existsSync(sqliteFile(opts.dataDir))) {
    throw new NotInitializedError(opts.dataDir);
  }
  makePrivateDir(opts.dataDir);
  const source = keySource(opts.dataDir, opts);
  let keyring = readKeyring(source);
  const store = await openStore({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, ...opts.database });
  try {
    const hasData = await storeHasData(store);
    if (opts.requireEmpty && hasData)
      throw new AlreadyInitializedError(postgres ? 'the database' : opts.dataDir);
    if (opts.requireExisting && !hasData) throw new NotInitializedError('the database');
    if (!keyring) {
      if (hasData) {
        const current = (await keyRecords(store.db)).find((r) => r.state === 'current');
        throw new MasterKeyError(
          `no master key for this store, which holds a deployment${current ? ` sealed under master key ${current.keyId}` : ''}: ${source.label} does not exist; give the key (--master-key-file PATH, RAMPART_MASTER_KEY_FILE or RAMPART_MASTER_KEY); a new key is never made for a store that holds data`,
        );
      }
      if (!opts.createKey || source.kind !== 'file') {
        throw new MasterKeyError(
          `no master key: ${source.label} does not exist; create a deployment with rampart init`,
        );
      }
      keyring = createKeyFile(source);
    }
    await admitKeyring(store, keyring);
  } catch (err) {
    await store.close();
    throw err;
  }
  const sealer = keyring.sealer;
  const clock = opts.clock ?? (() => new Date());
  const domain = createDomain(store, {
    sealer,
    clock,
    ...(opts.quotas ? { quotas: opts.quotas } : {}),
    ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
  });
  const services: Services = {
    ...createServices(store, domain, memoizeUnseal(sealer), { clock }),
    auditTrail: {
      lookup: (q) => lookupEvents(store.db, q, store.dialect),
      sealPageToken: (text) => sealer.seal(text, PAGE_TOKEN_CONTEXT),
      openPageToken: (token) => {
        try {
          return sealer.unsealText(token, PAGE_TOKEN_CONTEXT);
        } catch {
          return undefined;
        }
      },
    },
    buckets: bucketPolicyReader(createCatalog(store)),
  };
  const audit = createAuditRecorder({ store, sealer, clock, enabled: opts.audit ?? true });
  return {
    store,
    sealer,
    keyring,
    domain,
    services,
    clock,
    audit,
    close: async () => {
      try {
        await audit.close();
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * The request path unseals the AccessKey secret of every signed request. The plaintext of a
 * sealed value never changes, so the result is remembered per sealed text (and context):
 * the key row is still read on every request, so a disabled or deleted key is refused at
 * once; only the AES-GCM work is saved. Bounded; least recently used entries go first.
 */
export function memoizeUnseal(sealer: Sealer, size = 10_000): Sealer {
  const cache = new Map<string, string>();
  return {
    seal: (plaintext, context) => sealer.seal(plaintext, context),
    unseal: (sealed, context) => sealer.unseal(sealed, context),
    unsealText(sealed, context) {
      const key = `${context ?? ''}\u0000${sealed}`;
      let text = cache.get(key);
      if (text === undefined) {
        text = sealer.unsealText(sealed, context);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      } else {
        cache.delete(key);
      }
      cache.set(key, text);
      return text;
    },
  };
}

/** A strong generated password: `length` (default 24) characters with every character class. */
export function generatePassword(length = 24): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-.:=@^_~'];
  const all = sets.join('');
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export interface InitOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly masterKey?: string | undefined;
  readonly masterKeyFile?: string | undefined;
  readonly accountAlias?: string | undefined;
  readonly rootPassword?: string | undefined;
  readonly rootAccessKey?: boolean;
  readonly scrypt?: ScryptParams | undefined;
}

export interface InitResult {
  readonly AccountId: string;
  readonly AccountAlias: string;
  readonly RootLoginName: string;
  readonly RootPassword: string;
  readonly AccessKeyId?: string;
  readonly AccessKeySecret?: string;
}

export class AlreadyInitializedError extends Error {
  constructor(dir: string) {
    super(`${dir} is already initialized`);
    this.name = 'AlreadyInitializedError';
  }
}

/** Whether DIR already holds a deployment's files (master key or embedded database). */
export function looksInitialized(dataDir: string): boolean {
  return existsSync(masterKeyPath(dataDir)) || existsSync(sqliteFile(dataDir));
}

/** Creates the first account of a deployment in an open deployment. */
export async function createFirstAccount(
  d: Deployment,
  opts: Pick<InitOptions, 'accountAlias' | 'rootPassword' | 'rootAccessKey'>,
): Promise<InitResult> {
  const rootPassword = opts.rootPassword ?? generatePassword();
  const created = await d.domain.accounts.create(
    opts.accountAlias ? { alias: opts.accountAlias, rootPassword } : { rootPassword },
  );
  const result: InitResult = {
    AccountId: created.accountId,
    AccountAlias: created.alias ?? '',
    RootLoginName: created.rootLoginName,
    RootPassword: rootPassword,
  };
  if (!opts.rootAccessKey) return result;
  const key = await d.domain.accounts.createRootAccessKey(created.accountId);
  return { ...result, AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret };
}

/**
 * `rampart init`: a new data directory with its master key (unless one is given), the
 * migrated store and one account. Refuses a directory or database that is already in use,
 * before anything is written.
 */
export async function initialize(opts: InitOptions): Promise<InitResult> {
  if (looksInitialized(opts.dataDir)) throw new AlreadyInitializedError(opts.dataDir);
  const d = await openDeployment({ ...opts, createKey: true, requireEmpty: true });
  try {
    return await createFirstAccount(d, opts);
  } finally {
    await d.close();
  }
}

/**
 * What `rampart serve` warns about at start, one line per finding: a root that has an AccessKey
 * (root keys cannot be limited by any policy) or no MFA device bound.
 */
export async function rootSecurityWarnings(d: Deployment): Promise<string[]> {
  const lines: string[] = [];
  for (const account of await d.domain.accounts.list()) {
    const keys = await d.domain.accessKeys.listRoot(account.accountId);
    if (keys.length > 0) {
      lines.push(
        `warning: the root of account ${account.accountId} has ${keys.length} AccessKey(s); root keys cannot be limited by any policy: use a RAM user's keys and delete them`,
      );
    }
    if (!(await d.domain.mfa.hasMfa(account.accountId, { kind: 'root' }))) {
      lines.push(
        `warning: the root of account ${account.accountId} has no MFA device; bind one after logging on (POST /logon/bind-mfa)`,
      );
    }
  }
  return lines;
}

/** The client closed the connection (or the request timed out) before its body was complete. */
class RequestAbortedError extends Error {
  constructor(
    readonly received: number,
    readonly declared: number | undefined,
  ) {
    super('the request ended before its body was complete');
    this.name = 'RequestAbortedError';
  }
}

/**
 * Whether the request carries no body at all (no bytes to wait for): a request with neither
 * Content-Length nor Transfer-Encoding has none (RFC 9112 section 6.3), nor has one that
 * declares a length of 0.
 */
function hasNoBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return false;
  const length = req.headers['content-length'];
  return length === undefined || length === '0';
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const aborted = (): void =>
      reject(new RequestAbortedError(size, req.headers['content-length'] ? declared : undefined));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)),
    );
    // A client that goes away mid-body makes node emit 'error' (ECONNRESET, "aborted") and
    // 'close' without 'end'. The first settles the promise; the others change nothing.
    req.on('error', (err: NodeJS.ErrnoException) => (req.complete ? reject(err) : aborted()));
    req.on('close', () => {
      if (!req.complete) aborted();
    });
  });
}

const EMPTY = Buffer.alloc(0);

/** How much of a refused body is read and discarded, and for how long, before the answer. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 1000;

/** Resolves when the request's body has ended, or DRAIN_BYTES more arrived, or DRAIN_MS passed. */
function drained(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', count);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const count = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > DRAIN_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MS);
    req.on('data', count);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

function send(res: ServerResponse, r: WireResponse): void {
  // Handed to writeHead in one object: with no header set before, node writes them out
  // without storing each one first (headers set earlier, such as connection: close, stay).
  const headers: Record<string, string | number | string[]> = { ...r.headers };
  if (r.setCookies && r.setCookies.length > 0) headers['set-cookie'] = [...r.setCookies];
  headers['content-length'] = Buffer.byteLength(r.body);
  res.writeHead(r.status, headers);
  res.end(r.body);
}

/** The source address and transport security of a request, as the policy engine sees them. */
export interface ClientAddress {
  readonly sourceIp: string;
  readonly secure: boolean;
}

/** One address of an X-Forwarded-For list, without brackets or port; undefined when not an IP. */
function forwardedIp(hop: string): string | undefined {
  let h = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) h = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(h)) h = h.slice(0, h.lastIndexOf(':'));
  h = normalizeIp(h);
  return isIP(h) === 0 ? undefined : h;
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((v) => v.trim());
}

/**
 * Who sent a request. The TCP peer, and whether the connection is TLS, unless the peer is a
 * trusted proxy: then the client is the right-most address of X-Forwarded-For that is not
 * itself a trusted proxy (every hop to its right was added by a proxy we trust; anything to
 * its left was written by the client and proves nothing), and the request is secure when
 * X-Forwarded-Proto says https for every hop that reported one. A malformed hop stops the
 * walk at the last trusted address. With no trusted proxies, both headers are ignored.
 */
export function clientAddress(
  peer: string,
  tls: boolean,
  headers: IncomingHttpHeaders,
  isTrustedProxy: ((ip: string) => boolean) | undefined,
): ClientAddress {
  const peerIp = normalizeIp(peer);
  if (!isTrustedProxy || !isTrustedProxy(peerIp)) return { sourceIp: peer, secure: tls };
  let sourceIp = peerIp;
  const hops = headerList(headers['x-forwarded-for']);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedIp(hops[i]!);
    if (hop === undefined) break;
    sourceIp = hop;
    if (!isTrustedProxy(hop)) break;
  }
  const protos = headerList(headers['x-forwarded-proto']).filter((p) => p.length > 0);
  const secure = protos.length > 0 ? protos.every((p) => p.toLowerCase() === 'https') : tls;
  return { sourceIp, secure };
}

/** A membership test for a list of CIDR blocks; undefined for an empty list. */
export function cidrMatcher(cidrs: readonly Cidr[]): ((ip: string) => boolean) | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const c of cidrs) list.addSubnet(c.address, c.prefix, c.family);
  return (ip) => {
    const v = isIP(ip);
    return v !== 0 && list.check(ip, v === 4 ? 'ipv4' : 'ipv6');
  };
}

export interface RunningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The background jobs (tests run them at once, after moving the clock). */
  readonly jobs: { readonly idleCredentials: PeriodicJob; readonly auditRetention: PeriodicJob };
  /** Stops accepting, ends open connections, closes the store. */
  stop(): Promise<void>;
  /** Drops what stop() could not finish writing (the request log) when the process must end now. */
  abandon(): void;
}

export interface StartOptions {
  readonly config: ServerConfig;
  readonly deployment: Deployment;
  readonly log?: (line: string) => void;
}

/** Listens on config.host:config.port and serves until stop(). */
export async function startServer({ config, deployment, log }: StartOptions): Promise<RunningServer> {
  const metrics = createMetrics({ store: deployment.store, auditBacklog: () => deployment.audit.pending() });
  const requestLog = createRequestLog(config.logLevel ?? 'info');
  const env: PipelineEnv = {
    observe: (state, response, err, durationMs) => {
      // A request refused before its action was looked up (authentication, the store out of
      // reach) is still counted under its action when that names a registered one.
      const p = state.protocol;
      if (!state.definition && p?.version && p.action)
        state.definition = env.registry.lookup(p.version, p.action);
      const outcome = requestOutcome(state, response, err, durationMs);
      metrics.observeRequest(outcome);
      requestLog.request(state, response, outcome);
    },
    registry: createRegistry(allActions()),
    services: deployment.services,
    now: deployment.clock,
    audit: deployment.audit,
    authorizer: createAuthorizer(deployment.services.policies, deployment.sealer, {
      // RAM users manage their own keys, MFA and password as the security preference allows.
      selfServiceAllowed: async (accountId, kind) => {
        const pref = await deployment.domain.securityPreference.get(accountId);
        if (kind === 'AccessKeys') return pref.allowUserToManageAccessKeys;
        if (kind === 'MFADevices') return pref.allowUserToManageMFADevices;
        return pref.allowUserToChangePassword;
      },
      onCacheLookup: (hit) => metrics.observeCache(hit),
    }),
    logError: (requestId, err) => {
      const e = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : typeof err;
      (log ?? console.error)(`request ${requestId} failed: ${e}`);
    },
  };

  // The OSS-compatible data plane (src/oss): object bytes under DIR/oss, metadata in the store.
  const ossFiles = createBlobFiles(config.dataDir);
  const ossCatalog = createCatalog(deployment.store);
  const known = await ossCatalog.knownBlobs();
  // A database set aside by `rampart restore --force` names object files this one does not:
  // they are kept while it is there, so it can be brought back whole.
  const setAside = deployment.store.dialect === 'sqlite' ? setAsideDatabases(sqliteFile(config.dataDir)) : [];
  const swept = await ossFiles.sweep((blob) => known.has(blob), {
    now: Date.now(),
    olderThanMs: SWEEP_AFTER_MS,
    keepUnreferenced: setAside.length > 0,
  });
  if (swept.temporary + swept.orphaned > 0) {
    (log ?? console.error)(
      `object store: removed ${swept.temporary} unfinished upload file(s) and ${swept.orphaned} unreferenced object file(s)`,
    );
  }
  if (setAside.length > 0) {
    (log ?? console.error)(
      `object store: unreferenced object files are kept while ${setAside.join(', ')} (set aside by rampart restore) is in the data directory`,
    );
  }
  const oss = createOssHandler({
    services: deployment.services,
    authorizer: env.authorizer,
    catalog: ossCatalog,
    files: ossFiles,
    now: deployment.clock,
    logError: env.logError,
  });

  // The web console's built files (src/api/console/static.ts).
  const consoleFiles = loadConsoleFiles();

  const authorizationPoint = createAuthorizationPoint({
    services: deployment.services,
    authorizer: env.authorizer,
    now: deployment.clock,
    resourcePolicy: ossResourcePolicy(async (name) => (await ossCatalog.find(name))?.bucket),
  });

  /** `POST /authorize`: another service asks for a decision (src/api/authorization-point.ts). */
  async function authorizeAnswer(req: IncomingMessage, res: ServerResponse, rawQuery: string): Promise<void> {
    const wire = await routeRequest(req, res, AUTHORIZE_PATH, rawQuery, config.bodyLimit);
    if (wire) send(res, await authorizationPoint(wire, wire.sourceIp, wire.secure));
  }

  function ossAnswer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return oss(req, res, clientOf(req));
  }

  /** Who sent a request (clientAddress), behind the configured trusted proxies. */
  function clientOf(req: IncomingMessage): ClientAddress {
    return clientAddress(
      req.socket.remoteAddress ?? '',
      'encrypted' in req.socket && req.socket.encrypted === true,
      req.headers,
      isTrustedProxy,
    );
  }

  /** Answers an error in the JSON envelope (the answer of the routes beside the RPC API). */
  function sendError(res: ServerResponse, err: unknown, requestId = newRequestId()): void {
    send(res, errorResponse(err, { requestId, format: 'JSON', service: undefined }));
  }

  /**
   * The body of a request, at most `limit` bytes (nothing is read from one that declares no
   * body). A longer one is answered RequestEntityTooLarge, on a connection that then closes,
   * and gives undefined.
   */
  async function bodyWithin(
    req: IncomingMessage,
    res: ServerResponse,
    limit: number,
  ): Promise<Buffer | undefined> {
    const body = hasNoBody(req) ? EMPTY : await readBody(req, limit);
    if (!body) {
      // A client still sending when the connection closes sees a broken pipe instead of the
      // answer: read on (and discard) a while first.
      await drained(req);
      res.setHeader('connection', 'close');
      sendError(
        res,
        apiErrorWithStatus('RequestEntityTooLarge', 413, `The request body exceeds ${limit} bytes.`),
      );
    }
    return body;
  }

  /** The wire form of a request: its body and who sent it. */
  function wireRequest(
    req: IncomingMessage,
    path: string,
    rawQuery: string,
    body: Buffer,
    client: ClientAddress,
  ): WireRequest {
    return {
      method: req.method ?? 'GET',
      path,
      rawQuery,
      headers: req.headers,
      body,
      sourceIp: client.sourceIp,
      secure: client.secure,
    };
  }

  /**
   * A request to a route beside the RPC API (the authorization point, logon, SSO) in wire form,
   * its body read within `limit` and its source address normalized; undefined when the body
   * was too large (and that answered).
   */
  async function routeRequest(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawQuery: string,
    limit: number,
  ): Promise<WireRequest | undefined> {
    const body = await bodyWithin(req, res, limit);
    if (!body) return undefined;
    const client = clientOf(req);
    return wireRequest(req, path, rawQuery, body, {
      sourceIp: normalizeIp(client.sourceIp),
      secure: client.secure,
    });
  }

  /**
   * A path other than `/`: an OSS request when it is OSS-signed or addressed to an OSS host,
   * or, unsigned, when its first segment names an existing bucket (anonymous reads a bucket
   * policy may allow); anything else is no API.
   */
  async function pathRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const first = decodeURIComponentSafe(path.split('/')[1] ?? '');
    if (isValidBucketName(first) && (await ossCatalog.find(first))) return ossAnswer(req, res);
    sendError(
      res,
      apiError('InvalidApi.NotFound', 'Specified api is not found,please check your url and method.'),
    );
  }

  /**
   * The requests beside the RPC API (the data plane, the authorization point, logon, SSO,
   * workload credentials) in /metrics: by route and HTTP status (the API's own requests are
   * counted by action and error code in the pipeline).
   */
  function observeRoute(res: ServerResponse, service: string, action: string): void {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      metrics.observeRequest({
        service,
        action,
        code: status < 400 ? 'Success' : `HTTP${status}`,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
      });
    });
  }

  /** Routes one request; a promise only where something is awaited. */
  function handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    // Over TLS (directly, or to a trusted proxy that says https), every answer tells the
    // browser to keep to HTTPS for this host; an answer over plain HTTP never does.
    if ((config.tls || isTrustedProxy) && clientOf(req).secure)
      res.setHeader('strict-transport-security', HSTS);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/healthz') {
      send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' });
      return;
    }
    if (path === '/readyz') return ready(res);
    if (path === '/metrics') return metricsAnswer(res);
    // An OSS request (by its host or its signature) is the data plane's, whatever its path.
    if (isOssRequest(req, url)) {
      observeRoute(res, 'oss', OSS_METHODS.has(req.method ?? '') ? (req.method as string) : 'unknown');
      return ossAnswer(req, res);
    }
    if (path !== '/') {
      observeRoute(res, ...routeLabels(path));
      // The routes beside the API answer JSON or pages of their own: never sniffed as another type.
      res.setHeader('x-content-type-options', 'nosniff');
    }
    if (path.startsWith(WORKLOAD_CREDENTIALS_PATH)) {
      return workloadCredentials(
        req,
        res,
        decodeURIComponentSafe(path.slice(WORKLOAD_CREDENTIALS_PATH.length)),
      );
    }
    if (path === AUTHORIZE_PATH) return authorizeAnswer(req, res, q < 0 ? '' : url.slice(q + 1));
    if (path !== '/') {
      if (isLogonPath(path)) return logon(req, res, path);
      if (isSsoPath(path)) return sso(req, res, path, q < 0 ? '' : url.slice(q + 1));
      if (isConsolePath(path))
        return sendConsoleAnswer(res, req.method ?? 'GET', consoleFiles.answer(req.method ?? 'GET', path));
      return pathRequest(req, res, path);
    }
    if (isBrowserVisit(req.method ?? 'GET', q < 0 ? '' : url.slice(q + 1), req.headers)) {
      return sendConsoleAnswer(res, 'GET', consoleRedirect());
    }
    // A request without a body (most signed calls) goes straight on; node discards the empty
    // stream itself when the answer is sent.
    if (hasNoBody(req)) return answer(req, res, path, q < 0 ? '' : url.slice(q + 1), EMPTY);
    return withBody(req, res, path, q < 0 ? '' : url.slice(q + 1));
  }

  /**
   * The credentials endpoint of workload identities, in the shape `@alicloud/credentials`'
   * credentials-URI provider reads (200 and a JSON object; anything else is an error to it).
   */
  async function workloadCredentials(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
  ): Promise<void> {
    const requestId = newRequestId();
    const client = clientOf(req);
    try {
      if (req.method !== 'GET') {
        throw apiErrorWithStatus('UnsupportedHTTPMethod', 405, 'The credentials endpoint answers GET only.');
      }
      const sourceIp = normalizeIp(client.sourceIp);
      const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined;
      const c = await deployment.domain.workloads.credentials(token, sourceIp, client.secure, (issuance) =>
        deployment.audit.record(
          workloadCredentialEvent(issuance, {
            at: deployment.clock(),
            requestId,
            sourceIp,
            ...(userAgent ? { userAgent } : {}),
          }),
        ),
      );
      send(res, {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({
          Code: 'Success',
          AccessKeyId: c.accessKeyId,
          AccessKeySecret: c.accessKeySecret,
          SecurityToken: c.securityToken,
          Expiration: c.expiration,
          LastUpdated: c.issuedAt,
        }),
      });
    } catch (err) {
      if (!(err instanceof ApiError)) env.logError?.(requestId, err);
      sendError(res, err, requestId);
    }
  }

  /** The deployment's public base URL for SAML (RAMPART_PUBLIC_URL, else the listening URL). */
  let ssoBaseUrl = config.publicUrl;

  /** SAML single sign-on to the console (src/api/sso/routes.ts). */
  async function sso(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawQuery: string,
  ): Promise<void> {
    const wire = await routeRequest(req, res, path, rawQuery, SSO_BODY_LIMIT);
    if (!wire) return;
    send(
      res,
      await answerSso(
        {
          domain: deployment.domain,
          roles: deployment.services.roles,
          sealer: deployment.sealer,
          clock: deployment.clock,
          baseUrl: ssoBaseUrl ?? '',
          record: (e) => deployment.audit.record(e),
          ...(env.logError ? { logError: env.logError } : {}),
        },
        wire,
      ),
    );
  }

  /** What a session does to its own credentials, authorized like the API's calls. */
  const authorizeSession = createSessionAuthorizer(
    env.authorizer,
    deployment.services.names,
    deployment.clock,
  );

  /** The console logon surface (src/api/logon/routes.ts). */
  async function logon(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const wire = await routeRequest(req, res, path, '', LOGON_BODY_LIMIT);
    if (!wire) return;
    send(
      res,
      await answerLogon(deployment.domain, authorizeSession, wire, deployment.clock, env.logError, (e) =>
        deployment.audit.record(e),
      ),
    );
  }

  async function metricsAnswer(res: ServerResponse): Promise<void> {
    send(res, {
      status: 200,
      headers: { 'content-type': metrics.contentType },
      body: await metrics.render(),
    });
  }

  async function ready(res: ServerResponse): Promise<void> {
    try {
      await deployment.store.ping();
      send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ready"}' });
    } catch {
      send(res, {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: '{"status":"unavailable"}',
      });
    }
  }

  async function withBody(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string) {
    const body = await bodyWithin(req, res, config.bodyLimit);
    if (!body) return;
    return answer(req, res, path, rawQuery, body);
  }

  /** Runs the API request through the pipeline and writes the answer. */
  function answer(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, body: Buffer) {
    return runPipeline(env, wireRequest(req, path, rawQuery, body, clientOf(req))).then((r) => send(res, r));
  }

  const isTrustedProxy = cidrMatcher(config.trustedProxies);
  /** SQLite's row cache: every request is counted and waits for the next check of the file. */
  const fresh = deployment.store.fresh?.bind(deployment.store);
  const handleChecked = (req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
    try {
      return handle(req, res);
    } catch (err) {
      return Promise.reject(err);
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    // Read now: once a client has gone away its socket no longer knows the address.
    const peer = normalizeIp(req.socket.remoteAddress ?? '?');
    const pending = fresh ? fresh().then(() => handleChecked(req, res)) : handleChecked(req, res);
    pending?.catch((err: unknown) => {
      if (err instanceof RequestAbortedError) {
        // Nothing to answer: the connection is gone. One line, no stack.
        (log ?? console.error)(
          `request from ${peer} ended after ${err.received} of ${err.declared ?? '?'} body bytes: the client closed the connection or the request timed out`,
        );
        res.destroy();
        return;
      }
      env.logError?.('-', err);
      if (!res.headersSent) {
        sendError(res, err);
      } else {
        res.destroy();
      }
    });
  };
  const options: ServerOptions = {
    // Signed V3 requests carry every parameter in the query: long policy documents need a
    // larger header limit than node's 16 KiB default.
    maxHeaderSize: 256 * 1024,
    keepAliveTimeout: 65_000,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node checks both limits on a timer of this period (default 30 s, so a 30 s limit cut
    // at up to 60 s): a tenth of the smaller limit, at most 1 s, holds them within that.
    connectionsCheckingInterval: Math.max(
      25,
      Math.min(1000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 10)),
    ),
  };
  let server: Server;
  if (config.tls) {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(config.tls.certFile);
      key = readFileSync(config.tls.keyFile);
    } catch (err) {
      throw new ConfigError(`cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
    try {
      server = createHttpsServer({ ...options, cert, key }, listener);
    } catch (err) {
      throw new ConfigError(`the TLS certificate or key is not valid: ${(err as Error).message}`);
    }
  } else {
    server = createServer(options, listener);
  }

  // A sink that could never run is refused before the server listens.
  checkAuditSinks(config.auditSinks);
  // The checkpoints a killed server left out, sealed before any new append (SQLite).
  const repaired = await sealLostCheckpoints(deployment.store, deployment.sealer, deployment.clock());
  if (repaired.sealed.length > 0 || repaired.refused.length > 0) {
    (log ?? console.error)(
      `audit: sealed the checkpoint a stopped server left out for ${repaired.sealed.length} account(s)` +
        (repaired.refused.length > 0
          ? `; ${repaired.refused.length} account(s) left unsealed: their newest events do not verify (rampart audit verify)`
          : ''),
    );
  }
  // The first signed request would otherwise wait for the writer thread to start.
  await deployment.store.startWriter?.();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  ssoBaseUrl ??= `${config.tls ? 'https' : 'http'}://${hostForUrl}:${port}`;

  // Each job runs once across the nodes sharing the store (src/ops/job-lease.ts).
  const gate = createJobGate(deployment.store, deployment.clock, {
    onTurn: (job, result) => metrics.observeJob(job, result),
  });
  // MaxIdleDays of the security preference: idle AccessKeys and console logons are disabled
  // at start and then every hour.
  const idleCredentials = startPeriodicJob({
    name: 'idle credentials',
    gate,
    everyMs: IDLE_CREDENTIALS_EVERY_MS,
    log: log ?? console.error,
    run: async () => {
      const { accessKeys, consoleLogons } = await deployment.domain.idleCredentials.disableIdle(
        (tx, change) =>
          deployment.audit.recordInTransaction(tx, idleChangeEvents(change, deployment.clock())),
      );
      return accessKeys + consoleLogons > 0
        ? `disabled ${accessKeys} AccessKey(s) and ${consoleLogons} console logon(s) unused past MaxIdleDays`
        : undefined;
    },
  });

  // The audit trail's retention: whole old events removed in chain order, at start and hourly.
  const auditRetention = startPeriodicJob({
    name: 'audit retention',
    gate,
    everyMs: AUDIT_RETENTION_EVERY_MS,
    log: log ?? console.error,
    run: async () => {
      const { removed, refused } = await expireEvents(
        deployment.store,
        deployment.sealer,
        deployment.clock(),
        config.auditRetentionDays,
      );
      const parts = [
        removed > 0 ? `removed ${removed} event(s) past retention` : '',
        refused.length > 0
          ? `kept the old events of ${refused.length} account(s) whose chain does not verify (rampart audit verify)`
          : '',
      ].filter((p) => p);
      return parts.length ? parts.join('; ') : undefined;
    },
  });

  const sinks = startAuditSinks(
    deployment.store,
    deployment.sealer,
    config.dataDir,
    config.auditSinks,
    log ?? console.error,
  );

  let stopping: Promise<void> | undefined;
  return {
    server,
    host: config.host,
    port,
    url: `${config.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    jobs: { idleCredentials, auditRetention },
    stop() {
      stopping ??= (async () => {
        await idleCredentials.stop();
        await auditRetention.stop();
        // Stop accepting; requests under way get the grace period to finish, then their
        // connections are cut. Idle keep-alive connections close at once.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs ?? 3000);
        await closed;
        clearInterval(idle);
        clearTimeout(force);
        // The last events of the requests just answered reach the store, then the sinks stop.
        await deployment.audit.flush();
        await sinks.stop();
        await requestLog.close();
        await closeSolver();
        await deployment.close();
      })();
      return stopping;
    },
    abandon: () => requestLog.abandon(),
  };
}
