/**
 * The console's two ways to the server: the logon surface (JSON with the logon header, the
 * session cookie) and the signed API, called with the session's short-lived credentials so
 * that every action goes through the same authentication and authorization as an SDK's.
 */
import { signCall, type SigningCredentials } from './sign';

export type Service = 'ram' | 'ims' | 'sts' | 'actiontrail' | 'resourcemanager' | 'rampart';

const VERSIONS: Record<Service, string> = {
  ram: '2015-05-01',
  ims: '2019-08-15',
  sts: '2015-04-01',
  actiontrail: '2020-07-06',
  resourcemanager: '2020-03-31',
  rampart: '2026-12-01',
};

export interface AccessDeniedDetail {
  readonly AuthAction?: string;
  readonly AuthPrincipalType?: string;
  readonly AuthPrincipalDisplayName?: string;
  readonly AuthPrincipalOwnerId?: string;
  readonly PolicyType?: string;
  readonly NoPermissionType?: string;
  readonly EncodedDiagnosticMessage?: string;
}

/** An error answer of the server: its code, message and request id, as sent. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
    readonly accessDeniedDetail?: AccessDeniedDetail,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

async function readAnswer(res: Response): Promise<Json> {
  let body: Json;
  try {
    body = (await res.json()) as Json;
  } catch {
    throw new ApiFailure(
      'InternalError',
      `The server answered ${res.status} without a readable body.`,
      res.status,
    );
  }
  if (!res.ok) {
    throw new ApiFailure(
      String(body.Code ?? 'InternalError'),
      String(body.Message ?? `HTTP ${res.status}`),
      res.status,
      body.RequestId as string | undefined,
      body.AccessDeniedDetail as AccessDeniedDetail | undefined,
    );
  }
  return body;
}

/** A state-changing call of the logon surface (its forgery rule: JSON and the logon header). */
export async function logonPost(path: string, body: Json = {}): Promise<Json> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
    body: JSON.stringify(body),
  });
  return readAnswer(res);
}

export interface Principal {
  /** AssumedRole: a role session opened by role-based single sign-on. */
  readonly Type: 'Root' | 'RAMUser' | 'AssumedRole';
  readonly AccountId: string;
  readonly UserId?: string;
  readonly UserName?: string;
  readonly RoleName?: string;
  readonly RoleSessionName?: string;
}

/** Whether an account signs its RAM users in with SAML, and where that starts. */
export async function userSsoStatus(tenant: string): Promise<{ Enabled: boolean; StartUrl?: string }> {
  const res = await fetch(`/saml/status?tenantID=${encodeURIComponent(tenant)}`, {
    credentials: 'same-origin',
  });
  const body = await readAnswer(res);
  return body.UserSso as { Enabled: boolean; StartUrl?: string };
}

/** A new virtual MFA device as the logon answers it (BindMFA step, bind-mfa). */
export interface NewMfaDevice {
  readonly SerialNumber: string;
  readonly Base32StringSeed: string;
  readonly QRCodePng: string;
}

/** The image source of a device's QR code (a data: URL, or base64 PNG made into one). */
export function qrCodeSrc(device: NewMfaDevice): string {
  return device.QRCodePng.startsWith('data:')
    ? device.QRCodePng
    : `data:image/png;base64,${device.QRCodePng}`;
}

export interface Session {
  readonly Principal: Principal;
  readonly MFAPresent: boolean;
  readonly ExpiresAt: string;
}

/** The live session, or undefined when there is none. */
export async function currentSession(): Promise<Session | undefined> {
  const res = await fetch('/logon/session', { credentials: 'same-origin' });
  if (res.status === 401) return undefined;
  const body = await readAnswer(res);
  return body.Session as Session;
}

let cached: { creds: SigningCredentials; renewAt: number } | undefined;

/** Forgets the signing credentials (at logoff). */
export function forgetCredentials(): void {
  cached = undefined;
}

async function credentials(): Promise<SigningCredentials> {
  if (cached && Date.now() < cached.renewAt) return cached.creds;
  let body: Json;
  try {
    body = await logonPost('/logon/credentials');
  } catch (e) {
    // The session ended (sign-out elsewhere, expiry, a password change): back to the sign-in page.
    if (e instanceof ApiFailure && e.code === 'InvalidSession') location.assign('/console/');
    throw e;
  }
  const c = body.Credentials as Record<string, string>;
  const expires = Date.parse(c.Expiration ?? '');
  cached = {
    creds: {
      accessKeyId: c.AccessKeyId ?? '',
      accessKeySecret: c.AccessKeySecret ?? '',
      securityToken: c.SecurityToken ?? '',
    },
    // Renew a minute before the expiry, or at once if the server said nothing usable.
    renewAt: Number.isFinite(expires) ? Math.min(expires - 60_000, Date.now() + 10 * 60_000) : 0,
  };
  return cached.creds;
}

/** The session's short-lived credentials, for the data plane's signer (web/src/oss.ts). */
export function ossCredentials(): Promise<SigningCredentials> {
  return credentials();
}

export type Params = Record<string, string | number | boolean | undefined>;

/** A signed API call; the answer's JSON body, or an ApiFailure with the server's code. */
export async function call<T = Json>(service: Service, action: string, params: Params = {}): Promise<T> {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') pairs.push([k, String(v)]);
  const signed = await signCall(
    location.host,
    { action, version: VERSIONS[service], params: pairs },
    await credentials(),
  );
  const res = await fetch(signed.url, { method: 'POST', credentials: 'omit', headers: signed.headers });
  return (await readAnswer(res)) as T;
}

/** A question to the authorization point (`POST /authorize`), signed like an SDK call. */
export async function authorize(question: Json): Promise<Json> {
  const json = JSON.stringify(question);
  const signed = await signCall(
    location.host,
    { action: 'Authorize', version: VERSIONS.ram, params: [], path: '/authorize', json },
    await credentials(),
  );
  const res = await fetch(signed.url, {
    method: 'POST',
    credentials: 'omit',
    headers: signed.headers,
    body: json,
  });
  return readAnswer(res);
}

/** A list the RAM API wraps as `{Users: {User: [...]}}`. */
export function listOf<T>(body: Json, outer: string, inner: string): T[] {
  const wrapper = body[outer] as Record<string, unknown> | undefined;
  const list = wrapper?.[inner];
  return Array.isArray(list) ? (list as T[]) : [];
}

/** Every page of a Marker-paged RAM list. */
export async function listAll<T>(
  service: Service,
  action: string,
  outer: string,
  inner: string,
  params: Params = {},
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const body = await call(service, action, { ...params, MaxItems: 100, Marker: marker });
    out.push(...listOf<T>(body, outer, inner));
    if (body.IsTruncated !== true || typeof body.Marker !== 'string') break;
    marker = body.Marker;
  }
  return out;
}
