/**
 * The audit event of one API request: its facts gathered from what the pipeline learned about
 * it, rendered by src/audit/api-event.ts. Secrets never reach them: parameters go through
 * redactParameters, and every secret value is scrubbed from the error message too.
 */
import { renderApiEvent, type ApiEventFacts } from '../audit/api-event.js';
import type { PendingEvent, UserIdentity } from '../audit/event.js';
import { SECRET_PARAMETERS, redactParameters } from '../audit/redact.js';
import { headerValue } from '../auth/headers.js';
import type { Principal } from '../auth/principal.js';
import { parseV3Authorization } from '../auth/signature-v3.js';
import { ApiError } from '../errors.js';
import { SERVICE_HOSTS, SERVICE_PRODUCTS, SERVICE_VERSIONS, serviceForVersion } from './registry.js';
import type { RequestState } from './steps/state.js';

/** Longest parameter value kept in an event; longer ones are cut with a marker. */
export const MAX_RECORDED_VALUE = 16 * 1024;

/** Longest recorded event name (an unknown Action is echoed). */
const MAX_EVENT_NAME = 128;

/**
 * Identities made before, per principal object, with and without MFA: a signing key's principal
 * is one object for as long as its row is current (src/domain/services.ts), so its caller's
 * identity is made once, and written as JSON once (src/audit/api-event.ts, `factsText`).
 */
const identitiesOf = new WeakMap<Principal, [UserIdentity | undefined, UserIdentity | undefined]>();

/** The userIdentity of a principal (reference actiontrail-events.md section 3). */
export function identityOf(
  p: Principal | undefined,
  accessKeyId: string | undefined,
  mfa: boolean,
): UserIdentity {
  // Only the identity of a principal under its own AccessKeyId is kept (frozen principals only:
  // those are shared, and cannot change under the identity made from them).
  if (!p || p.type === 'Anonymous' || p.accessKeyId !== accessKeyId || !Object.isFrozen(p))
    return makeIdentity(p, accessKeyId, mfa);
  let kept = identitiesOf.get(p);
  if (!kept) identitiesOf.set(p, (kept = [undefined, undefined]));
  return (kept[mfa ? 1 : 0] ??= Object.freeze(makeIdentity(p, accessKeyId, mfa)));
}

function makeIdentity(p: Principal | undefined, accessKeyId: string | undefined, mfa: boolean): UserIdentity {
  const key = accessKeyId ? { accessKeyId } : {};
  const session = { sessionContext: { attributes: { mfaAuthenticated: mfa ? 'true' : 'false' } } } as const;
  if (!p || p.type === 'Anonymous') return { type: 'unknown', ...key };
  switch (p.type) {
    case 'Root':
      return {
        type: 'root-account',
        principalId: p.accountId,
        accountId: p.accountId,
        userName: 'root',
        ...key,
      };
    case 'RAMUser':
      return {
        type: 'ram-user',
        principalId: p.userId,
        accountId: p.accountId,
        userName: p.userName,
        ...key,
        ...session,
      };
    case 'AssumedRole':
      return {
        type: 'assumed-role',
        principalId: `${p.roleId}:${p.sessionName}`,
        accountId: p.accountId,
        userName: `${p.roleName}:${p.sessionName}`,
        ...key,
        ...session,
      };
  }
}

/** The AccessKeyId a request names, whether or not it authenticated. */
export function claimedAccessKeyId(state: RequestState): string | undefined {
  const p = state.protocol;
  if (!p) return undefined;
  if (p.v3) {
    const auth = headerValue(state.wire.headers, 'authorization');
    return auth ? parseV3Authorization(auth)?.accessKeyId : undefined;
  }
  return p.params.AccessKeyId;
}

/**
 * The parameters as an event keeps them: a value longer than MAX_RECORDED_VALUE is cut. A V3
 * request is routed by its x-acs-action and x-acs-version headers, so an `Action` or `Version`
 * among its parameters named nothing and is not kept (the event's name says what ran).
 */
function recordedParameters(
  params: Readonly<Record<string, string>>,
  v3: boolean,
): Readonly<Record<string, string>> {
  let change = v3 && ('Action' in params || 'Version' in params);
  if (!change) for (const k in params) if ((change = params[k]!.length > MAX_RECORDED_VALUE)) break;
  if (!change) return params;
  const out: Record<string, string> = {};
  for (const k of Object.keys(params)) {
    if (v3 && (k === 'Action' || k === 'Version')) continue;
    out[k] = cut(params[k]!);
  }
  return out;
}

/** Secret parameters a request really used, whose values are therefore hunted (redactParameters). */
const USED_BY_AUTHENTICATION: ReadonlySet<string> = new Set(['Signature', 'SecurityToken']);

/**
 * Which secret parameters of a request are hunted in its event's other fields: the signature and
 * security token (authentication checks both; a request they did not authenticate changed
 * nothing), and the secret parameters the action declares (ChangePassword's OldPassword, say).
 * An action whose parameters are not listed keeps the known secret names.
 */
function huntedBy(state: RequestState): (name: string) => boolean {
  const schema = state.definition?.params;
  return (name) => {
    if (USED_BY_AUTHENTICATION.has(name)) return true;
    const declared = schema && declaredNames(schema);
    return declared ? declared.has(name) : SECRET_PARAMETERS.has(name.toLowerCase());
  };
}

/** The wire names an action's schema lists, made once per schema (undefined when it lists none). */
const declaredBySchema = new WeakMap<object, ReadonlySet<string> | undefined>();
function declaredNames(schema: {
  readonly fields?: readonly { readonly name: string }[];
}): ReadonlySet<string> | undefined {
  if (!declaredBySchema.has(schema))
    declaredBySchema.set(schema, schema.fields ? new Set(schema.fields.map((f) => f.name)) : undefined);
  return declaredBySchema.get(schema);
}

function cut(v: string): string {
  return v.length > MAX_RECORDED_VALUE
    ? `${v.slice(0, MAX_RECORDED_VALUE)}...[cut: ${v.length} characters]`
    : v;
}

/** SignatureDoesNotMatch echoes the string to sign (every parameter): the event keeps the reason only. */
function errorMessageOf(err: unknown): string {
  if (!(err instanceof ApiError)) return 'The request processing has failed due to some unknown error.';
  const i = err.message.indexOf('server string to sign is:');
  return i < 0 ? err.message : err.message.slice(0, i).trimEnd();
}

/**
 * The facts of a request's event (src/audit/api-event.ts). `caller` is who the request is
 * recorded against: the authenticated principal, or, for a request that failed authentication,
 * the owner of the AccessKey it named.
 */
export function apiEventFacts(
  state: RequestState,
  err: unknown,
  caller?: { principal: Principal; accessKeyId?: string },
): ApiEventFacts {
  const p = state.protocol;
  const auth = state.authentication;
  const principal = auth?.kind === 'signed' ? auth.principal : caller?.principal;
  const accessKeyId =
    auth?.kind === 'signed' ? auth.accessKeyId : (caller?.accessKeyId ?? claimedAccessKeyId(state));
  const service = state.definition?.service ?? serviceForVersion(p?.version);
  const name = (state.definition?.name ?? p?.action ?? '').slice(0, MAX_EVENT_NAME);
  const redacted = redactParameters(p ? recordedParameters(p.params, p.v3) : {}, huntedBy(state));
  const federated = state.federatedCaller;
  const accountId =
    principal && principal.type !== 'Anonymous' ? principal.accountId : (federated?.accountId ?? '');
  const mfa = state.context?.['acs:MFAPresent']?.values[0] === true;
  return {
    accountId,
    requestId: state.requestId,
    receivedAtMs: state.receivedAt.getTime(),
    name,
    eventSource: service
      ? SERVICE_HOSTS[service]
      : (headerValue(state.wire.headers, 'host') ?? '').slice(0, 255),
    serviceName: service ? SERVICE_PRODUCTS[service] : 'Unknown',
    apiVersion: service ? SERVICE_VERSIONS[service] : undefined,
    requestParameters: redacted.params,
    scheme: state.wire.secure ? 'https' : 'http',
    userIdentity:
      federated && (!principal || principal.type === 'Anonymous')
        ? {
            type: federated.type,
            accountId: federated.accountId,
            ...(federated.userName !== undefined ? { userName: federated.userName } : {}),
          }
        : identityOf(principal, accessKeyId, mfa),
    sourceIp: state.wire.sourceIp,
    userAgent: (headerValue(state.wire.headers, 'user-agent') ?? '').slice(0, 1024),
    errorCode: err === undefined ? '' : err instanceof ApiError ? err.code : 'InternalError',
    errorMessage: err === undefined ? '' : redacted.scrub(errorMessageOf(err)),
  };
}

/** The event of a request, made now (see apiEventFacts). */
export function buildApiEvent(
  state: RequestState,
  err: unknown,
  caller?: { principal: Principal; accessKeyId?: string },
): PendingEvent {
  const facts = apiEventFacts(state, err, caller);
  return { accountId: facts.accountId, event: renderApiEvent(facts) };
}
