/**
 * SAML single sign-on to the console (docs/sso.md): the SP metadata Rampart publishes, the
 * SP-initiated start, and the assertion consumer services. A way in beside the logon form: a
 * validated assertion ends in the same console session (and cookie) a password logon gives.
 *
 *   GET  /saml/SpMetadata.xml?tenantID=<account>   user-based SSO SP metadata of an account
 *   GET  /saml/status?tenantID=<account or alias>   whether user-based SSO is on (the logon page asks)
 *   GET  /saml/start?tenantID=<account or alias>[&RelayState=/console/...]
 *                                                  SP-initiated: to the IdP with an AuthnRequest
 *   POST /saml/SSO          SAMLResponse[, RelayState]  user-based ACS: logs on the RAM user
 *   GET  /saml-role/sp-metadata.xml                 role-based SSO SP metadata (deployment-wide)
 *   POST /saml-role/sso     SAMLResponse[, RelayState]  role-based ACS: a role session, or a choice
 *   POST /saml-role/select  ChoiceToken, RoleArn         the role chosen among several
 *
 * Every refusal answers the service's JSON error envelope and is recorded as a ConsoleSignin
 * event with its code; nothing is created.
 */
import { randomBytes } from 'node:crypto';
import { consoleEvent, type ConsoleEventInput } from '../../audit/console-events.js';
import type { PendingEvent } from '../../audit/event.js';
import type { Sealer } from '../../crypto/seal.js';
import { checkSamlMetadata } from '../../domain/federation-providers.js';
import type { Domain, RoleSessionPrincipal } from '../../domain/index.js';
import { isEntityName } from '../../domain/names.js';
import type { RoleLookup, TrustedRole } from '../../domain/request-services.js';
import { apiError, apiErrorWithStatus, ApiError, missingParameter } from '../../errors.js';
import {
  ROLE_ATTRIBUTE,
  ROLE_SESSION_NAME_ATTRIBUTE,
  ROLE_SSO_ENTITY_ID,
  SESSION_DURATION_ATTRIBUTE,
  SamlValidationError,
  peekSamlResponse,
  rolePairs,
  validateSamlResponse,
  type ValidatedAssertion,
} from '../../sso/saml/index.js';
import {
  ROLE_ACS_PATH,
  ROLE_METADATA_PATH,
  ROLE_SELECT_PATH,
  USER_ACS_PATH,
  USER_METADATA_PATH,
  accountOfUserEntityId,
  authnRequestUrl,
  roleSpMetadata,
  userEntityId,
  userSpMetadata,
} from '../../sso/saml/sp.js';
import { federatedTrustDecision, stringValues } from '../../sso/trust.js';
import { asciiLowerCase } from '../../text.js';
import { sessionCookie } from '../logon/routes.js';
import { buildRequestContext } from '../request-context.js';
import { newRequestId } from '../protocol/request.js';
import { errorResponse } from '../protocol/response.js';
import type { WireRequest, WireResponse } from '../protocol/wire.js';

export const USER_START_PATH = '/saml/start';
export const USER_STATUS_PATH = '/saml/status';

/** The largest form an assertion consumer service reads (a SAMLResponse of 200,000 characters, form-encoded). */
export const SSO_BODY_LIMIT = 768 * 1024;

export interface SsoDeps {
  readonly domain: Domain;
  readonly roles: RoleLookup;
  readonly sealer: Sealer;
  readonly clock: () => Date;
  /** The deployment's public base URL (`https://rampart.example.com`), no trailing slash. */
  readonly baseUrl: string;
  readonly record?: (e: PendingEvent) => void;
  readonly logError?: (requestId: string, err: unknown) => void;
}

export function isSsoPath(path: string): boolean {
  return path.startsWith('/saml/') || path.startsWith('/saml-role/');
}

/** How long an AuthnRequest may be answered, and a role choice made. */
const REQUEST_TTL_SECONDS = 600;
const CHOICE_TTL_MS = 5 * 60 * 1000;
const CHOICE_CONTEXT = 'saml-role-choice';
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

type Audit = (e: Omit<ConsoleEventInput, 'at' | 'sourceIp' | 'userAgent' | 'name'>) => void;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const notFound = (): ApiError =>
  apiError('InvalidApi.NotFound', 'Specified api is not found,please check your url and method.');
const invalid = (m: string): ApiError => apiError('AuthenticationFail.SAMLAssertion.Invalid', m);
const refusal = (err: unknown): unknown =>
  err instanceof SamlValidationError
    ? err.refusal === 'expired'
      ? apiError('AuthenticationFail.SAMLAssertion.Expired', err.message)
      : invalid(err.message)
    : err;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const CONSOLE_HOME = '/console/';
const LANDING_BASE = 'http://rampart.invalid';

/**
 * Where a logon lands: RelayState when it is a console page of this deployment, a path under
 * `/console/` as the browser will resolve it (`..`, `%2e%2e` or `\` cannot step out of it);
 * else the console home. Never another path of this origin: an account's `/saml/start` sends the
 * browser wherever that account's IdP metadata says, so a RelayState naming it would chain one
 * account's logon into another account's redirect.
 */
function landing(relayState: string | undefined): string {
  if (relayState === undefined || !/^\/[\x21-\x7e]{0,1023}$/.test(relayState)) return CONSOLE_HOME;
  let url: URL;
  try {
    url = new URL(relayState, LANDING_BASE);
  } catch {
    return CONSOLE_HOME;
  }
  if (url.origin !== LANDING_BASE || !url.pathname.startsWith(CONSOLE_HOME)) return CONSOLE_HOME;
  return `${url.pathname}${url.search}${url.hash}`;
}

function xmlAnswer(xml: string): Answer {
  return {
    status: 200,
    headers: {
      'content-type': 'application/samlmetadata+xml; charset=utf-8',
      'cache-control': 'max-age=300',
    },
    body: xml,
  };
}

/** The page that takes the browser, now logged on, to its landing page. */
function loggedOnPage(target: string, cookie: string): Answer {
  return {
    status: 200,
    headers: { ...HTML_HEADERS, 'set-cookie': cookie },
    body:
      `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${esc(target)}">` +
      `<title>Rampart</title></head><body><p>Logged on. <a href="${esc(target)}">Continue</a></p></body></html>`,
  };
}

function form(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

function field(f: URLSearchParams, name: string): string {
  const v = f.get(name);
  if (v === null || v === '') throw missingParameter(name);
  return v;
}

interface Choice {
  readonly v: 1;
  /** Random: a choice makes one session, once. */
  readonly cid: string;
  readonly acct: string;
  readonly pid: string;
  readonly roles: readonly { readonly id: string; readonly arn: string }[];
  readonly sn: string;
  readonly nid: string;
  readonly rcp: string;
  /** Epoch ms: the choice expires; the session may last until. */
  readonly exp: number;
  readonly until: number;
  readonly to: string;
}

export async function answerSso(deps: SsoDeps, req: WireRequest): Promise<WireResponse> {
  const requestId = newRequestId();
  const ua = req.headers['user-agent'];
  const audit: Audit = (e) =>
    deps.record?.(
      consoleEvent({
        ...e,
        name: 'ConsoleSignin',
        at: deps.clock(),
        sourceIp: req.sourceIp,
        ...(ua ? { userAgent: ua } : {}),
      }),
    );
  try {
    const a = await route(deps, req, audit);
    return { status: a.status, headers: { ...a.headers, 'x-acs-request-id': requestId }, body: a.body };
  } catch (e) {
    if (!(e instanceof ApiError)) deps.logError?.(requestId, e);
    const r = errorResponse(e, { requestId, format: 'JSON', service: undefined });
    return { status: r.status, headers: { ...r.headers, 'cache-control': 'no-store' }, body: r.body };
  }
}

async function route(deps: SsoDeps, req: WireRequest, audit: Audit): Promise<Answer> {
  const { path, method } = req;
  const query = new URLSearchParams(req.rawQuery);
  if (method === 'GET' && path === USER_METADATA_PATH) {
    // Made from the id alone, for any well-formed id: the answer tells no one which accounts exist.
    const accountId = query.get('tenantID') ?? '';
    if (!/^\d{16}$/.test(accountId)) throw notFound();
    return xmlAnswer(userSpMetadata(deps.baseUrl, accountId));
  }
  if (method === 'GET' && path === ROLE_METADATA_PATH) return xmlAnswer(roleSpMetadata(deps.baseUrl));
  if (method === 'GET' && path === USER_START_PATH) return startUserSso(deps, query);
  if (method === 'GET' && path === USER_STATUS_PATH) return userSsoStatus(deps, query);
  if (method !== 'POST') throw notFound();
  const f = form(req.body);
  switch (path) {
    case USER_ACS_PATH:
      return userAcs(deps, req, f, audit);
    case ROLE_ACS_PATH:
      return roleAcs(deps, req, f, audit);
    case ROLE_SELECT_PATH:
      return roleSelect(deps, req, f, audit);
    default:
      throw notFound();
  }
}

const ssoNotEnabled = (): ApiError =>
  apiErrorWithStatus('SSO.NotEnabled', 400, 'User-based single sign-on is not enabled for this account.');

/** The account's user-SSO settings when SSO is on with usable metadata. */
async function enabledIdp(deps: SsoDeps, accountId: string) {
  const settings = await deps.domain.ssoSettings.get(accountId);
  if (!settings.ssoEnabled) throw ssoNotEnabled();
  try {
    return { settings, idp: checkSamlMetadata(settings.metadataDocument, 'MetadataDocument') };
  } catch {
    throw apiError(
      'AuthenticationFail.IDPMetadata.Invalid',
      'The identity provider metadata of the account is unusable.',
    );
  }
}

/** What a tenantID may be: an account id or alias, alone or as its default domain (A-Z in any case). */
const TENANT = /^[a-z0-9-]{1,63}(?:\.onaliyun\.com)?$/;

/**
 * The tenantID given (trimmed) and the account it names (its 16-digit id, its alias or its
 * default domain), undefined when none does. A value no account could have (another
 * character, a NUL, too long) names none and is never looked up. Callers answer an unknown
 * account as one without user SSO: before logon, nothing tells which accounts exist or what
 * an alias's account id is.
 */
async function tenant(
  deps: SsoDeps,
  query: URLSearchParams,
): Promise<{ given: string; accountId: string | undefined }> {
  const given = (query.get('tenantID') ?? '').trim();
  if (given === '') throw notFound();
  const key = asciiLowerCase(given);
  if (!TENANT.test(key)) return { given, accountId: undefined };
  const account = /^\d{16}$/.test(key)
    ? await deps.domain.accounts.get(key)
    : await deps.domain.accounts.findByAliasOrId(key);
  return { given, accountId: account?.accountId };
}

/** What a logon page needs: whether RAM users of the account log on through SSO, and where to start. */
async function userSsoStatus(deps: SsoDeps, query: URLSearchParams): Promise<Answer> {
  const { given, accountId } = await tenant(deps, query);
  const enabled = accountId !== undefined && (await deps.domain.ssoSettings.get(accountId)).ssoEnabled;
  return {
    status: 200,
    headers: { 'content-type': 'application/json;charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({
      UserSso: {
        Enabled: enabled,
        // The tenantID as given, which the start resolves alike: an alias's account id is not
        // told here (the IdP, once the browser is there, reads it in the AuthnRequest's Issuer).
        ...(enabled
          ? { StartUrl: `${deps.baseUrl}${USER_START_PATH}?tenantID=${encodeURIComponent(given)}` }
          : {}),
      },
    }),
  };
}

async function startUserSso(deps: SsoDeps, query: URLSearchParams): Promise<Answer> {
  const { accountId } = await tenant(deps, query);
  if (accountId === undefined) throw ssoNotEnabled();
  const { idp } = await enabledIdp(deps, accountId);
  if (!idp.ssoRedirectUrl) {
    throw apiError(
      'AuthenticationFail.IDPMetadata.Invalid',
      'The identity provider metadata names no HTTP-Redirect SingleSignOnService.',
    );
  }
  const requestId = await deps.domain.samlReplay.createRequest(accountId, REQUEST_TTL_SECONDS);
  const relay = query.get('RelayState');
  const location = authnRequestUrl({
    idpSsoUrl: idp.ssoRedirectUrl,
    requestId,
    spEntityId: userEntityId(deps.baseUrl, accountId),
    acsUrl: `${deps.baseUrl}${USER_ACS_PATH}`,
    now: deps.clock(),
    ...(relay ? { relayState: landing(relay) } : {}),
  });
  return { status: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

const NO_ROLE_REQUEST =
  'The SAML assertion answers a request this service never sent (InResponseTo): role-based logon is IdP-initiated.';

/** The AuthnRequest an assertion answers must be one this deployment sent the account; none: IdP-initiated. */
async function checkInResponseTo(deps: SsoDeps, accountId: string, a: ValidatedAssertion): Promise<void> {
  if (a.inResponseTo === undefined) return;
  // The form of the IDs this service sends (samlReplay.createRequest); another is none of them.
  if (
    !/^_[0-9a-f]{40}$/.test(a.inResponseTo) ||
    !(await deps.domain.samlReplay.consumeRequest(accountId, a.inResponseTo))
  ) {
    throw invalid('The SAML assertion answers no pending request of this service (InResponseTo).');
  }
}

async function claim(deps: SsoDeps, a: ValidatedAssertion): Promise<void> {
  if (!(await deps.domain.samlReplay.claimAssertion(a.issuer, a.assertionId, a.acceptedUntil))) {
    throw invalid('The SAML assertion was already used.');
  }
}

async function userAcs(deps: SsoDeps, req: WireRequest, f: URLSearchParams, audit: Audit): Promise<Answer> {
  let accountId = '';
  let nameId: string | undefined;
  try {
    const encoded = field(f, 'SAMLResponse');
    const peek = (() => {
      try {
        return peekSamlResponse(encoded);
      } catch (e) {
        throw refusal(e);
      }
    })();
    accountId = peek.audiences.map((x) => accountOfUserEntityId(deps.baseUrl, x)).find((x) => x) ?? '';
    if (!accountId || !(await deps.domain.accounts.get(accountId))) {
      accountId = '';
      throw invalid('The Audience of the SAML assertion is not an account of this service.');
    }
    const { settings, idp } = await enabledIdp(deps, accountId);
    const a = await validateSamlResponse(encoded, {
      idpEntityId: idp.entityId,
      idpCertificates: idp.signingCertificates,
      audience: userEntityId(deps.baseUrl, accountId),
      recipient: `${deps.baseUrl}${USER_ACS_PATH}`,
      now: deps.clock(),
    }).catch((e: unknown) => {
      throw refusal(e);
    });
    nameId = a.nameId;
    // The RAM user whose UserPrincipalName is the NameID (name@default domain or
    // name@auxiliary domain), or whose name it is when SsoLoginWithDomain is false. The domain
    // compares ignoring A-Z case only, and the name must keep the user name rule, as in a
    // password logon: a NameID that only case-maps onto a user (the Kelvin sign for `k`) names
    // none, and is not looked up.
    let userName: string | undefined;
    if (settings.ssoLoginWithDomain) {
      const at = a.nameId.lastIndexOf('@');
      const domains = await deps.domain.ssoSettings.principalDomains(accountId);
      if (at > 0 && domains.includes(asciiLowerCase(a.nameId.slice(at + 1))))
        userName = a.nameId.slice(0, at);
    } else if (!a.nameId.includes('@')) {
      userName = a.nameId;
    }
    const user =
      userName === undefined || !isEntityName('user', userName)
        ? undefined
        : await deps.domain.users.get(accountId, userName).catch(() => undefined);
    if (!user)
      throw apiError('EntityNotExist.User', 'No RAM user has the UserPrincipalName the NameID names.');
    const profile = await deps.domain.loginProfiles.get(accountId, user.userName).catch(() => undefined);
    if (!profile || profile.status !== 'Active') {
      throw apiError(
        'EntityNotExist.User.LoginProfile',
        'The RAM user has no console access (no active login profile).',
      );
    }
    // The IdP's SessionNotOnOrAfter bounds the console session, as for a role; one already
    // passed grants none, before the assertion is used up.
    const notAfter = a.sessionNotOnOrAfter;
    if (notAfter && notAfter.getTime() <= deps.clock().getTime()) throw sessionEnded();
    await checkInResponseTo(deps, accountId, a);
    await claim(deps, a);
    const principal = { type: 'RAMUser' as const, accountId, userId: user.userId, userName: user.userName };
    const session = await deps.domain.sessions.create(principal, {
      mfaPresent: false,
      sourceIp: req.sourceIp,
      ...(notAfter ? { notAfter } : {}),
    });
    audit({ accountId, principal, loginAccount: user.userPrincipalName, samlNameId: a.nameId, mfa: false });
    const cookie = sessionCookie(session.sessionId, session.expiresAt, deps.clock(), req.secure);
    return loggedOnPage(landing(f.get('RelayState') ?? undefined), cookie);
  } catch (e) {
    audit({ accountId, ...(nameId !== undefined ? { samlNameId: nameId } : {}), error: describe(e) });
    throw e;
  }
}

function describe(e: unknown): { code: string; message: string } {
  return e instanceof ApiError
    ? { code: e.code, message: e.message }
    : { code: 'InternalError', message: 'The request processing has failed due to some unknown error.' };
}

/** The roles the assertion offers that exist and trust its provider. */
async function offeredRoles(
  deps: SsoDeps,
  req: WireRequest,
  accountId: string,
  providerArn: string,
  a: ValidatedAssertion,
): Promise<TrustedRole[]> {
  const out: TrustedRole[] = [];
  for (const pair of rolePairs(a.attributes[ROLE_ATTRIBUTE])) {
    if (asciiLowerCase(pair.providerArn) !== asciiLowerCase(providerArn) || pair.accountId !== accountId)
      continue;
    const role = await deps.roles.findRole(accountId, pair.roleName);
    if (!role || out.some((r) => r.roleId === role.roleId)) continue;
    if (trusts(role, providerArn, a.recipient, req, deps.clock())) out.push(role);
  }
  return out;
}

function trusts(
  role: TrustedRole,
  providerArn: string,
  recipient: string,
  req: WireRequest,
  now: Date,
): boolean {
  const ua = req.headers['user-agent'];
  return (
    federatedTrustDecision({
      accountId: role.accountId,
      roleName: role.roleName,
      trustPolicy: role.trustPolicy,
      providerArn,
      context: {
        ...buildRequestContext({
          sourceIp: req.sourceIp,
          now,
          secure: req.secure,
          principal: undefined,
          accessKeyId: undefined,
          userAgent: typeof ua === 'string' ? ua : undefined,
          referer: undefined,
        }),
        'saml:recipient': stringValues([recipient]),
      },
    }).decision === 'Allow'
  );
}

async function roleAcs(deps: SsoDeps, req: WireRequest, f: URLSearchParams, audit: Audit): Promise<Answer> {
  let accountId = '';
  let nameId: string | undefined;
  try {
    const encoded = field(f, 'SAMLResponse');
    let peek: ReturnType<typeof peekSamlResponse>;
    try {
      peek = peekSamlResponse(encoded, ROLE_ATTRIBUTE);
    } catch (e) {
      throw refusal(e);
    }
    // The provider whose metadata verifies the assertion: one named by the Role attribute
    // whose entityID is the assertion's Issuer.
    let chosen: { arn: string; accountId: string; idp: ReturnType<typeof checkSamlMetadata> } | undefined;
    const seen = new Set<string>();
    for (const pair of rolePairs(peek.attributeValues)) {
      if (seen.has(pair.providerArn) || seen.size >= 10) continue;
      seen.add(pair.providerArn);
      const provider = await deps.domain.federationProviders
        .getSaml(pair.accountId, pair.providerName)
        .catch(() => undefined);
      if (!provider?.encodedSAMLMetadataDocument) continue;
      let idp: ReturnType<typeof checkSamlMetadata>;
      try {
        idp = checkSamlMetadata(provider.encodedSAMLMetadataDocument, 'EncodedSAMLMetadataDocument');
      } catch {
        continue;
      }
      if (idp.entityId !== peek.issuer) continue;
      chosen = { arn: provider.arn, accountId: pair.accountId, idp };
      break;
    }
    if (!chosen)
      throw invalid('The Role attribute names no SAML provider of this service that issued the assertion.');
    accountId = chosen.accountId;
    const a = await validateSamlResponse(encoded, {
      idpEntityId: chosen.idp.entityId,
      idpCertificates: chosen.idp.signingCertificates,
      audience: ROLE_SSO_ENTITY_ID,
      recipient: `${deps.baseUrl}${ROLE_ACS_PATH}`,
      now: deps.clock(),
    }).catch((e: unknown) => {
      throw refusal(e);
    });
    // Role-based logon is IdP-initiated: this service sends no AuthnRequest for it to answer.
    if (a.inResponseTo !== undefined) throw invalid(NO_ROLE_REQUEST);
    nameId = a.nameId;
    const sessionNames = a.attributes[ROLE_SESSION_NAME_ATTRIBUTE] ?? [];
    const sessionName = sessionNames[0];
    if (sessionNames.length !== 1 || sessionName === undefined || !SESSION_NAME.test(sessionName)) {
      throw apiError(
        'InvalidParameter.RoleSessionName',
        'The RoleSessionName attribute must be 2 to 64 letters, digits, ".", "@", "-" or "_".',
      );
    }
    const roles = await offeredRoles(deps, req, accountId, chosen.arn, a);
    if (roles.length === 0) {
      throw apiErrorWithStatus(
        'AuthenticationFail.NoPermission',
        401,
        'No role named by the assertion exists and trusts the SAML provider.',
      );
    }
    const until = sessionEnd(deps.clock(), a);
    await claim(deps, a);
    const target = landing(f.get('RelayState') ?? undefined);
    if (roles.length === 1) {
      return startRoleSession(deps, req, audit, roles[0]!, chosen.arn, sessionName, a.nameId, until, target);
    }
    const choice: Choice = {
      v: 1,
      cid: randomBytes(16).toString('hex'),
      acct: accountId,
      pid: chosen.arn,
      roles: roles.map((r) => ({ id: r.roleId, arn: `acs:ram::${accountId}:role/${r.roleName}` })),
      sn: sessionName,
      nid: a.nameId,
      rcp: a.recipient,
      exp: deps.clock().getTime() + CHOICE_TTL_MS,
      until: until.getTime(),
      to: target,
    };
    return choicePage(deps.sealer.seal(JSON.stringify(choice), CHOICE_CONTEXT), choice);
  } catch (e) {
    audit({ accountId, ...(nameId !== undefined ? { samlNameId: nameId } : {}), error: describe(e) });
    throw e;
  }
}

const sessionEnded = (): ApiError =>
  apiError(
    'AuthenticationFail.SAMLAssertion.Expired',
    'The session the SAML assertion grants has ended (AuthnStatement/@SessionNotOnOrAfter).',
  );

/**
 * SessionDuration attribute and SessionNotOnOrAfter bound the console session (with the role's
 * maximum, below). A SessionNotOnOrAfter already passed grants no session: Expired, before the
 * assertion is used up.
 */
function sessionEnd(now: Date, a: ValidatedAssertion): Date {
  let end = Infinity;
  const d = a.attributes[SESSION_DURATION_ATTRIBUTE]?.[0];
  if (d !== undefined) {
    if (!/^\d{1,6}$/.test(d) || Number(d) < 900) {
      throw apiError(
        'InvalidParameter.DurationSeconds',
        'The SessionDuration attribute must be at least 900 seconds.',
      );
    }
    end = now.getTime() + Number(d) * 1000;
  }
  if (a.sessionNotOnOrAfter) end = Math.min(end, a.sessionNotOnOrAfter.getTime());
  if (end <= now.getTime()) throw sessionEnded();
  return new Date(end === Infinity ? 8.64e15 : end);
}

async function startRoleSession(
  deps: SsoDeps,
  req: WireRequest,
  audit: Audit,
  role: TrustedRole,
  providerArn: string,
  sessionName: string,
  nameId: string,
  until: Date,
  target: string,
): Promise<Answer> {
  const principal: RoleSessionPrincipal = {
    type: 'AssumedRole',
    accountId: role.accountId,
    roleId: role.roleId,
    roleName: role.roleName,
    sessionName,
    providerArn,
  };
  const notAfter = new Date(
    Math.min(until.getTime(), deps.clock().getTime() + role.maxSessionDuration * 1000),
  );
  const session = await deps.domain.sessions.create(principal, {
    mfaPresent: false,
    sourceIp: req.sourceIp,
    notAfter,
  });
  audit({ accountId: role.accountId, principal, samlNameId: nameId, mfa: false });
  return loggedOnPage(target, sessionCookie(session.sessionId, session.expiresAt, deps.clock(), req.secure));
}

function choicePage(token: string, c: Choice): Answer {
  const options = c.roles
    .map(
      (r, i) =>
        `<label><input type="radio" name="RoleArn" value="${esc(r.arn)}"${i === 0 ? ' checked' : ''}> ${esc(r.arn)}</label><br>`,
    )
    .join('');
  return {
    status: 200,
    headers: HTML_HEADERS,
    body:
      `<!doctype html><html><head><meta charset="utf-8"><title>Choose a role</title></head><body>` +
      `<h1>Choose a role</h1><form method="post" action="${ROLE_SELECT_PATH}">` +
      `<input type="hidden" name="ChoiceToken" value="${esc(token)}">${options}` +
      `<button type="submit">Log on</button></form></body></html>`,
  };
}

async function roleSelect(
  deps: SsoDeps,
  req: WireRequest,
  f: URLSearchParams,
  audit: Audit,
): Promise<Answer> {
  let accountId = '';
  try {
    const token = field(f, 'ChoiceToken');
    const roleArn = field(f, 'RoleArn');
    let c: Choice;
    try {
      c = JSON.parse(deps.sealer.unsealText(token, CHOICE_CONTEXT)) as Choice;
    } catch {
      throw invalid('The role choice is not one this service offered.');
    }
    accountId = c.acct;
    if (c.v !== 1 || c.exp <= deps.clock().getTime())
      throw invalid('The role choice has expired; log on again.');
    // The assertion's session may end while the user chooses (SessionNotOnOrAfter).
    if (!(c.until > deps.clock().getTime())) throw sessionEnded();
    const offered = c.roles.find((r) => asciiLowerCase(r.arn) === asciiLowerCase(roleArn));
    if (!offered) throw invalid('The role was not offered by the assertion.');
    const role = await deps.roles.findRole(c.acct, offered.arn.slice(offered.arn.indexOf(':role/') + 6));
    // The role must still be the one offered, and still trust the provider.
    if (!role || role.roleId !== offered.id || !trusts(role, c.pid, c.rcp, req, deps.clock())) {
      throw apiErrorWithStatus(
        'AuthenticationFail.NoPermission',
        401,
        'The role no longer trusts the SAML provider.',
      );
    }
    // One choice, one session, on any node: its id is claimed like an assertion ID.
    if (
      typeof c.cid !== 'string' ||
      !(await deps.domain.samlReplay.claimAssertion(CHOICE_CONTEXT, c.cid, new Date(c.exp)))
    ) {
      throw invalid('The role choice has been used already; log on again.');
    }
    return await startRoleSession(deps, req, audit, role, c.pid, c.sn, c.nid, new Date(c.until), c.to);
  } catch (e) {
    audit({ accountId, error: describe(e) });
    throw e;
  }
}
