/**
 * The console logon surface (docs/logon.md): JSON in, JSON out, under `/logon` and `/logoff`.
 * It is a way in beside the signed API; it decides nothing itself: the domain's logon and
 * sessions rules do, and what a session does to its own credentials is authorized by the API's
 * authorizer like the API call that does the same (./self-service.ts). Answers use the
 * service's error envelope.
 *
 *   POST /logon             {LoginName, Password}                 -> a session or a step
 *                           (+ the remembered-MFA cookie, which may stand for the MFA step)
 *   POST /logon/mfa         {StepToken, AuthenticationCode[, RememberMFA]} -> a session or a step
 *   POST /logon/password    {StepToken, NewPassword}              -> a session or a step
 *                           session cookie + {OldPassword, NewPassword} -> changes one's own password
 *   POST /logon/bind-mfa    {StepToken[, AuthenticationCode1, AuthenticationCode2]}
 *                           session cookie and no StepToken       -> starts binding a device
 *   POST /logoff            session cookie                        -> ends the session
 *   GET  /logon/session     session cookie                        -> who is logged on
 *   POST /logon/mfa         {StepToken, WebAuthnResponse}         -> the MFA step with a security key
 *   POST /logon/webauthn/options {StepToken}                      -> its challenge
 *   POST /logon/webauthn/register-options, /register, /delete; GET /logon/webauthn/credentials
 *                           session cookie                        -> one's own security keys
 *
 * Cross-site forgery: the cookie is SameSite=Strict, and every POST must also carry
 * `Content-Type: application/json` and `X-Rampart-Logon: 1`, which a form of another site
 * cannot send without a CORS preflight that Rampart never grants.
 */
import { apiError, ApiError, missingParameter } from '../../errors.js';
import { consoleEvent, type ConsoleEventInput } from '../../audit/console-events.js';
import type { PendingEvent } from '../../audit/event.js';
import type {
  CreatedVirtualMFADevice,
  Domain,
  LogonOutcome,
  RelyingParty,
  ResolvedSession,
  RoleSessionPrincipal,
  SessionPrincipal,
  WebAuthnCredentialView,
  WebAuthnOwner,
} from '../../domain/index.js';
import { hashOfOpaqueId } from '../../domain/sessions.js';
import { err } from '../../domain/messages.js';
import { roleSessionRefused } from '../../domain/logon.js';
import type { SelfService } from '../action.js';
import { newRequestId } from '../protocol/request.js';
import { errorResponse } from '../protocol/response.js';
import { JSON_CONTENT_TYPE, type WireRequest, type WireResponse } from '../protocol/wire.js';
import { newDeviceTarget, ownUserTarget, type SessionAuthorizer } from './self-service.js';

/** The session cookie. */
export const SESSION_COOKIE = 'rampart_session';
/** The remembered-MFA cookie (security preference EnableSaveMFATicket). */
export const MFA_TICKET_COOKIE = 'rampart_mfa_ticket';
/** The header every state-changing logon call must carry. */
export const LOGON_HEADER = 'x-rampart-logon';

/** Whether a path belongs to the logon surface. */
export function isLogonPath(path: string): boolean {
  return path === '/logon' || path === '/logoff' || path.startsWith('/logon/');
}

type Body = Record<string, unknown>;

interface Answer {
  readonly status?: number;
  readonly body: Body;
  readonly cookies?: readonly string[];
}

function notFound(): ApiError {
  return apiError('InvalidApi.NotFound', 'Specified api is not found,please check your url and method.');
}

/** The value of the request's cookie of that name, if any. */
function cookieOf(req: Pick<WireRequest, 'headers'>, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session id of the request's cookie, if any. */
export function sessionIdOf(req: Pick<WireRequest, 'headers'>): string | undefined {
  return cookieOf(req, SESSION_COOKIE);
}

/** The remembered-MFA cookie: HttpOnly, SameSite=Strict, Secure under TLS, until the ticket expires. */
function mfaTicketCookie(token: string, expiresAt: Date, now: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return `${MFA_TICKET_COOKIE}=${token}; Path=/logon; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function sessionCookie(id: string, expiresAt: Date, now: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function principalView(p: SessionPrincipal | RoleSessionPrincipal): Body {
  if (p.type === 'AssumedRole') {
    return {
      Type: 'AssumedRole',
      AccountId: p.accountId,
      RoleId: p.roleId,
      RoleName: p.roleName,
      RoleSessionName: p.sessionName,
      SAMLProviderArn: p.providerArn,
    };
  }
  return p.type === 'Root'
    ? { Type: 'Root', AccountId: p.accountId }
    : { Type: 'RAMUser', AccountId: p.accountId, UserId: p.userId, UserName: p.userName };
}

function deviceView(d: CreatedVirtualMFADevice): Body {
  return {
    SerialNumber: d.serialNumber,
    VirtualMFADeviceName: d.virtualMFADeviceName,
    Base32StringSeed: d.base32StringSeed,
    OtpauthUrl: d.otpauthUrl,
    QRCodePng: d.qrCodePng,
  };
}

function outcomeAnswer(o: LogonOutcome, now: Date, secure: boolean): Answer {
  if (o.kind === 'Session') {
    return {
      body: {
        Session: {
          Principal: principalView(o.principal),
          MFAPresent: o.mfaPresent,
          ExpiresAt: o.expiresAt.toISOString(),
          ...(o.mfaRemembered ? { MFARemembered: true } : {}),
        },
      },
      cookies: [
        sessionCookie(o.sessionId, o.expiresAt, now, secure),
        ...(o.mfaTicket ? [mfaTicketCookie(o.mfaTicket.token, o.mfaTicket.expiresAt, now, secure)] : []),
      ],
    };
  }
  if (o.kind === 'Step') {
    return {
      body: {
        Step: o.step,
        StepToken: o.stepToken,
        ExpiresAt: o.expiresAt.toISOString(),
        ...(o.device ? { VirtualMFADevice: deviceView(o.device) } : {}),
        ...(o.canRememberMfa ? { CanRememberMFA: true } : {}),
      },
    };
  }
  return { body: {} };
}

/** A JSON object body (POST), after the forgery checks. */
function jsonBody(req: WireRequest): Body {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json' || req.headers[LOGON_HEADER] !== '1') throw err.logonForgeryCheck();
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8') || '{}');
  } catch {
    throw apiError('InvalidParameter', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw apiError('InvalidParameter', 'The request body must be a JSON object.');
  }
  return parsed as Body;
}

function text(body: Body, name: string): string {
  const v = body[name];
  if (v === undefined || v === null || v === '') throw missingParameter(name);
  if (typeof v !== 'string')
    throw apiError('InvalidParameter', `The parameter - "${name}" must be a string.`);
  return v;
}

/**
 * A name or id as the store may look it up: NUL (which PostgreSQL refuses in text) and unpaired
 * surrogates (not UTF-8) become U+FFFD, as the audit columns store them. No login name or
 * credential id holds either, so the input is then refused exactly as an unknown one, with the
 * same answer on both stores, instead of failing in the store.
 */
function wellFormed(value: string): string {
  return value.replace(
    /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

function optionalBool(body: Body, name: string): boolean {
  const v = body[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw apiError('InvalidParameter', `The parameter - "${name}" must be true or false.`);
  return v;
}

function optionalText(body: Body, name: string): string | undefined {
  return body[name] === undefined || body[name] === null ? undefined : text(body, name);
}

async function requireSession(domain: Domain, req: WireRequest): Promise<ResolvedSession> {
  const id = sessionIdOf(req);
  const session = id === undefined ? undefined : await domain.sessions.resolve(id);
  if (!session) throw err.sessionInvalid();
  return session;
}

function objectField(body: Body, name: string): Record<string, unknown> {
  const v = body[name];
  if (v === undefined || v === null) throw missingParameter(name);
  if (typeof v !== 'object' || Array.isArray(v))
    throw apiError('InvalidParameter', `The parameter - "${name}" must be an object.`);
  return v as Record<string, unknown>;
}

/**
 * The WebAuthn relying party of a request: the host name the browser used (the Host header
 * without its port) and the origin built from it. A page of another origin cannot obtain an
 * answer for this one: the browser binds both into what the key signs.
 */
function relyingParty(req: WireRequest): RelyingParty {
  const host = String(req.headers.host ?? '')
    .trim()
    .toLowerCase();
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) {
    throw apiError('InvalidParameter', 'The Host header is not a host name.');
  }
  const id = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return { id, origin: `${req.secure ? 'https' : 'http'}://${host}` };
}

/** The owner of a person's security keys; a role session has none of its own. */
function webauthnOwner(p: SessionPrincipal | RoleSessionPrincipal): WebAuthnOwner {
  if (p.type === 'AssumedRole') throw roleSessionRefused();
  return p.type === 'Root' ? { accountId: p.accountId } : { accountId: p.accountId, userId: p.userId };
}

function credentialView(c: WebAuthnCredentialView): Body {
  return {
    CredentialId: c.credentialId,
    Name: c.name,
    CreateDate: c.createDate,
    ...(c.lastUsedDate ? { LastUsedDate: c.lastUsedDate } : {}),
  };
}

/**
 * A session that may do `action` to its own person (a RAM user's own user, the root's account),
 * authorized like the API call of that action (self-service of `kind`); a role session has no
 * password or device of its own.
 */
async function requireSelfService(
  domain: Domain,
  authorize: SessionAuthorizer,
  req: WireRequest,
  action: string,
  kind: SelfService,
): Promise<ResolvedSession & { readonly principal: SessionPrincipal }> {
  const session = await requireSession(domain, req);
  const principal = session.principal;
  if (principal.type === 'AssumedRole') throw roleSessionRefused();
  await authorize({ principal, mfaPresent: session.mfaPresent }, req, [
    ownUserTarget(principal, action, kind),
  ]);
  return { ...session, principal };
}

/** What the audit trail records of a logon call (src/audit/console-events.ts). */
export type ConsoleAudit = (e: Omit<ConsoleEventInput, 'at' | 'sourceIp' | 'userAgent'>) => void;

/**
 * Runs what a person does to its own credentials from a session and records it as `name`,
 * done or refused (the refusal's code and message; never a password or a code).
 */
async function recorded<T>(
  audit: ConsoleAudit,
  name: 'ChangePassword' | 'UnbindMFADevice',
  p: Exclude<SessionPrincipal, { type: 'AssumedRole' }>,
  mfa: boolean,
  act: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await act();
  } catch (e) {
    if (e instanceof ApiError)
      audit({ name, accountId: p.accountId, principal: p, error: { code: e.code, message: e.message } });
    throw e;
  }
  audit({ name, accountId: p.accountId, principal: p, mfa });
  return result;
}

/** The account a login name names, for recording a refused logon ('' when none). */
async function accountOfLoginName(domain: Domain, loginName: string): Promise<string> {
  const m = /@([a-z0-9-]{1,63})\.onaliyun\.com$/i.exec(loginName);
  if (!m) {
    const at = loginName.lastIndexOf('@');
    if (at < 0) return '';
    return (await domain.ssoSettings.accountOfAuxiliaryDomain(loginName.slice(at + 1))) ?? '';
  }
  return (await domain.accounts.findByAliasOrId(m[1]!.toLowerCase()))?.accountId ?? '';
}

function refusal(e: unknown): { code: string; message: string } {
  return e instanceof ApiError
    ? { code: e.code, message: e.message }
    : { code: 'InternalError', message: 'The request processing has failed due to some unknown error.' };
}

async function route(
  domain: Domain,
  authorize: SessionAuthorizer,
  req: WireRequest,
  now: () => Date,
  audit: ConsoleAudit,
): Promise<Answer> {
  const { path, method, sourceIp, secure } = req;
  /** A logon call's answer; a session it ends in, or its refusal, is a ConsoleSignin event. */
  const outcome = async (o: Promise<LogonOutcome>, loginName?: string): Promise<Answer> => {
    let done: LogonOutcome;
    try {
      done = await o;
    } catch (e) {
      const accountId = loginName === undefined ? '' : await accountOfLoginName(domain, loginName);
      audit({
        name: 'ConsoleSignin',
        accountId,
        ...(loginName !== undefined ? { loginAccount: loginName } : {}),
        error: refusal(e),
      });
      throw e;
    }
    if (done.kind === 'Session') {
      audit({
        name: 'ConsoleSignin',
        accountId: done.principal.accountId,
        principal: done.principal,
        ...(loginName !== undefined ? { loginAccount: loginName } : {}),
        mfa: done.mfaPresent,
        ...(done.mfaRemembered ? { mfaRemembered: true } : {}),
      });
    }
    return outcomeAnswer(done, now(), secure);
  };

  if (path === '/logon/webauthn/credentials' && method === 'GET') {
    const session = await requireSession(domain, req);
    const list = await domain.webauthn.list(webauthnOwner(session.principal));
    return { body: { Credentials: list.map(credentialView) } };
  }
  if (path === '/logon/session') {
    if (method !== 'GET') throw notFound();
    const s = await requireSession(domain, req);
    return {
      body: {
        Session: {
          Principal: principalView(s.principal),
          MFAPresent: s.mfaPresent,
          ExpiresAt: s.expiresAt.toISOString(),
        },
      },
    };
  }
  if (method !== 'POST') throw notFound();
  const body = jsonBody(req);
  switch (path) {
    case '/logon': {
      const loginName = wellFormed(text(body, 'LoginName'));
      const mfaTicket = cookieOf(req, MFA_TICKET_COOKIE);
      return outcome(
        domain.logon.start({
          loginName,
          password: text(body, 'Password'),
          sourceIp,
          ...(mfaTicket ? { mfaTicket } : {}),
        }),
        loginName,
      );
    }
    case '/logon/mfa': {
      const stepToken = text(body, 'StepToken');
      const remember = optionalBool(body, 'RememberMFA');
      if (body.WebAuthnResponse !== undefined) {
        return outcome(
          domain.logon.completeMfaWithWebAuthn(
            stepToken,
            objectField(body, 'WebAuthnResponse'),
            relyingParty(req),
            sourceIp,
            remember,
          ),
        );
      }
      return outcome(
        domain.logon.completeMfa(stepToken, text(body, 'AuthenticationCode'), sourceIp, remember),
      );
    }
    case '/logon/webauthn/options':
      return {
        body: { Options: await domain.logon.webauthnOptions(text(body, 'StepToken'), relyingParty(req)) },
      };
    case '/logon/webauthn/register-options': {
      // A security key is an MFA device of the person's: registering one is BindMFADevice,
      // removing one UnbindMFADevice (docs/console.md).
      const session = await requireSelfService(domain, authorize, req, 'ram:BindMFADevice', 'MFADevices');
      const p = session.principal;
      return {
        body: {
          Options: await domain.webauthn.registrationOptions(
            webauthnOwner(p),
            p.type === 'RAMUser' ? `${p.userName}@${p.accountId}` : `root@${p.accountId}`,
            hashOfOpaqueId(sessionIdOf(req)!)!,
            relyingParty(req),
          ),
        },
      };
    }
    case '/logon/webauthn/register': {
      const session = await requireSelfService(domain, authorize, req, 'ram:BindMFADevice', 'MFADevices');
      const c = await domain.webauthn.register(
        webauthnOwner(session.principal),
        hashOfOpaqueId(sessionIdOf(req)!)!,
        objectField(body, 'Response'),
        relyingParty(req),
        optionalText(body, 'Name') ?? '',
      );
      return { body: { Credential: credentialView(c) } };
    }
    case '/logon/webauthn/delete': {
      const session = await requireSelfService(domain, authorize, req, 'ram:UnbindMFADevice', 'MFADevices');
      await domain.webauthn.remove(webauthnOwner(session.principal), wellFormed(text(body, 'CredentialId')));
      return { body: {} };
    }
    case '/logon/password': {
      const stepToken = optionalText(body, 'StepToken');
      if (stepToken !== undefined)
        return outcome(domain.logon.changePassword(stepToken, text(body, 'NewPassword'), sourceIp));
      // A change from a session is ChangePassword's; the logon's own step above is not asked:
      // the administrator demanded it, and there is no session yet (docs/logon.md).
      const session = await requireSession(domain, req);
      const p = session.principal;
      if (p.type === 'AssumedRole') throw roleSessionRefused();
      await recorded(audit, 'ChangePassword', p, session.mfaPresent, async () => {
        await authorize({ principal: p, mfaPresent: session.mfaPresent }, req, [
          ownUserTarget(p, 'ram:ChangePassword', 'Password'),
        ]);
        await domain.logon.changeOwnPassword(
          { ...session, principal: p },
          text(body, 'OldPassword'),
          text(body, 'NewPassword'),
        );
      });
      return { body: {} };
    }
    case '/logon/unbind-mfa': {
      // A person removes its own virtual MFA device, proving it holds it with a current code.
      const session = await requireSession(domain, req);
      const p = session.principal;
      if (p.type === 'AssumedRole') throw roleSessionRefused();
      const { serialNumber } = await recorded(audit, 'UnbindMFADevice', p, session.mfaPresent, async () => {
        await authorize({ principal: p, mfaPresent: session.mfaPresent }, req, [
          ownUserTarget(p, 'ram:UnbindMFADevice', 'MFADevices'),
        ]);
        // The code is counted like one of the logon's MFA step (Throttling.User past the limit).
        return domain.logon.unbindOwnMfa(session, text(body, 'AuthenticationCode'), sourceIp);
      });
      return { body: { SerialNumber: serialNumber } };
    }
    case '/logon/bind-mfa': {
      const stepToken = optionalText(body, 'StepToken');
      if (stepToken === undefined) {
        const session = await requireSelfService(domain, authorize, req, 'ram:BindMFADevice', 'MFADevices');
        return outcome(domain.logon.startMfaBinding(session, sourceIp));
      }
      const code1 = optionalText(body, 'AuthenticationCode1');
      const code2 = optionalText(body, 'AuthenticationCode2');
      const codes =
        code1 !== undefined || code2 !== undefined ? { code1: code1 ?? '', code2: code2 ?? '' } : undefined;
      // Each later call of a binding started from a session is asked again (the domain knows
      // which binding that is): the new device's CreateVirtualMFADevice, then BindMFADevice.
      return outcome(
        domain.logon.bindMfa(stepToken, codes, sourceIp, (principal, mfaPresent, deviceName) =>
          authorize({ principal, mfaPresent }, req, [
            deviceName === undefined
              ? ownUserTarget(principal, 'ram:BindMFADevice', 'MFADevices')
              : newDeviceTarget(principal, deviceName),
          ]),
        ),
      );
    }
    case '/logon/credentials': {
      // Short-lived signing credentials of the session, for programs acting for the person.
      const id = sessionIdOf(req);
      const session = await requireSession(domain, req);
      const c = domain.sts.logonCredentials(id!, session);
      audit({
        name: 'GetLogonCredentials',
        accountId: session.principal.accountId,
        principal: session.principal,
        mfa: session.mfaPresent,
      });
      return {
        body: {
          Credentials: {
            AccessKeyId: c.accessKeyId,
            AccessKeySecret: c.accessKeySecret,
            SecurityToken: c.securityToken,
            Expiration: c.expiration,
          },
        },
      };
    }
    case '/logoff': {
      const id = sessionIdOf(req);
      const session = id === undefined ? undefined : await domain.sessions.resolve(id);
      if (id !== undefined) await domain.sessions.end(id);
      if (session) {
        audit({
          name: 'ConsoleSignout',
          accountId: session.principal.accountId,
          principal: session.principal,
        });
      }
      return { body: {}, cookies: [clearedCookie(secure)] };
    }
    default:
      throw notFound();
  }
}

/** On every logon answer: never cached, and never read as anything but its JSON type. */
const ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Answers one logon request. */
export async function answerLogon(
  domain: Domain,
  authorize: SessionAuthorizer,
  req: WireRequest,
  now: () => Date,
  logError?: (requestId: string, err: unknown) => void,
  record?: (e: PendingEvent) => void,
): Promise<WireResponse> {
  const requestId = newRequestId();
  const headers: Record<string, string> = {
    'content-type': JSON_CONTENT_TYPE,
    'x-acs-request-id': requestId,
    ...ANSWER_HEADERS,
  };
  try {
    const ua = req.headers['user-agent'];
    const audit: ConsoleAudit = (e) =>
      record?.(consoleEvent({ ...e, at: now(), sourceIp: req.sourceIp, ...(ua ? { userAgent: ua } : {}) }));
    const a = await route(domain, authorize, req, now, audit);
    return {
      status: a.status ?? 200,
      headers,
      ...(a.cookies ? { setCookies: a.cookies } : {}),
      body: JSON.stringify({ RequestId: requestId, ...a.body }),
    };
  } catch (e) {
    if (!(e instanceof ApiError)) logError?.(requestId, e);
    const r = errorResponse(e, { requestId, format: 'JSON', service: undefined });
    return { status: r.status, headers: { ...r.headers, ...ANSWER_HEADERS }, body: r.body };
  }
}
