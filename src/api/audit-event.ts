/**
 * The audit event of one API request, built from what the pipeline learned about it (see
 * src/audit/event.ts for the shape). Secrets never reach it: parameters go through
 * redactParameters, and every secret value is scrubbed from the error message too.
 */
import {
  ACS_REGION,
  eventRW,
  eventTimeOf,
  type AuditEvent,
  type PendingEvent,
  type UserIdentity,
} from '../audit/event.js';
import { redactParameters } from '../audit/redact.js';
import { headerValue } from '../auth/headers.js';
import type { Principal } from '../auth/principal.js';
import { parseV3Authorization } from '../auth/signature-v3.js';
import { ApiError } from '../errors.js';
import { SERVICE_HOSTS, SERVICE_PRODUCTS, SERVICE_VERSIONS, serviceForVersion } from './registry.js';
import type { RequestState } from './steps/state.js';

/** Parameters naming a RAM resource, and its ActionTrail resource type. */
const RESOURCE_PARAMS: readonly (readonly [string, string])[] = [
  ['UserAccessKeyId', 'ACS::RAM::AccessKey'],
  ['SerialNumber', 'ACS::RAM::MFADevice'],
  ['VirtualMFADeviceName', 'ACS::RAM::MFADevice'],
  ['PolicyName', 'ACS::RAM::Policy'],
  ['GroupName', 'ACS::RAM::Group'],
  ['RoleName', 'ACS::RAM::Role'],
  ['UserName', 'ACS::RAM::User'],
];

/** Which resource type an action is mainly about, by a word of its name. */
const MAIN_TYPE: readonly (readonly [RegExp, string])[] = [
  [/AccessKey/, 'ACS::RAM::AccessKey'],
  [/MFA/, 'ACS::RAM::MFADevice'],
  [/Polic/, 'ACS::RAM::Policy'],
  [/Group/, 'ACS::RAM::Group'],
  [/Role/, 'ACS::RAM::Role'],
  [/User|LoginProfile|Password/, 'ACS::RAM::User'],
];

/** Longest parameter value kept in an event; longer ones are cut with a marker. */
export const MAX_RECORDED_VALUE = 16 * 1024;

/** Longest recorded event name (an unknown Action is echoed). */
const MAX_EVENT_NAME = 128;

function resources(name: string, params: Readonly<Record<string, string>>) {
  const referenced: Record<string, string[]> = {};
  for (const [param, type] of RESOURCE_PARAMS) {
    const v = params[param];
    if (v !== undefined && v !== '') (referenced[type] ??= []).push(v);
  }
  const types = Object.keys(referenced);
  if (types.length === 0) return {};
  const main = MAIN_TYPE.find(([re, t]) => re.test(name) && referenced[t])?.[1] ?? types[0]!;
  return {
    resourceType: main,
    resourceName: referenced[main]!.join(','),
    referencedResources: referenced,
  };
}

/** The userIdentity of a principal (reference actiontrail-events.md section 3). */
export function identityOf(
  p: Principal | undefined,
  accessKeyId: string | undefined,
  mfa: boolean,
): UserIdentity {
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
 * The event of a request. `caller` is who the request is recorded against: the authenticated
 * principal, or, for a request that failed authentication, the owner of the AccessKey it named.
 */
export function buildApiEvent(
  state: RequestState,
  err: unknown,
  caller?: { principal: Principal; accessKeyId?: string },
): PendingEvent {
  const p = state.protocol;
  const auth = state.authentication;
  const principal = auth?.kind === 'signed' ? auth.principal : caller?.principal;
  const accessKeyId =
    auth?.kind === 'signed' ? auth.accessKeyId : (caller?.accessKeyId ?? claimedAccessKeyId(state));
  const service = state.definition?.service ?? serviceForVersion(p?.version);
  const name = (state.definition?.name ?? p?.action ?? '').slice(0, MAX_EVENT_NAME);
  const raw: Record<string, string> = {};
  if (p) for (const k of Object.keys(p.params)) raw[k] = cut(p.params[k]!);
  const redacted = redactParameters(raw);
  const federated = state.federatedCaller;
  const accountId =
    principal && principal.type !== 'Anonymous' ? principal.accountId : (federated?.accountId ?? '');
  const mfa = state.context?.['acs:MFAPresent']?.values[0] === true;
  const event: AuditEvent = {
    eventId: state.requestId,
    eventVersion: 1,
    eventCategory: 'Management',
    eventType: 'ApiCall',
    eventName: name,
    eventRW: eventRW(name),
    eventSource: service
      ? SERVICE_HOSTS[service]
      : (headerValue(state.wire.headers, 'host') ?? '').slice(0, 255),
    eventTime: eventTimeOf(state.receivedAt),
    serviceName: service ? SERVICE_PRODUCTS[service] : 'Unknown',
    acsRegion: ACS_REGION,
    ...(service ? { apiVersion: SERVICE_VERSIONS[service] } : {}),
    requestId: state.requestId,
    requestParameters: redacted.params,
    additionalEventData: { Scheme: state.wire.secure ? 'https' : 'http' },
    userIdentity:
      federated && (!principal || principal.type === 'Anonymous')
        ? {
            type: federated.type,
            accountId: federated.accountId,
            ...(federated.userName !== undefined ? { userName: federated.userName } : {}),
          }
        : identityOf(principal, accessKeyId, mfa),
    sourceIpAddress: state.wire.sourceIp,
    userAgent: (headerValue(state.wire.headers, 'user-agent') ?? '').slice(0, 1024),
    ...resources(name, redacted.params),
    ...(accountId ? { recipientAccountId: accountId } : {}),
    isGlobal: true,
    errorCode: err === undefined ? '' : err instanceof ApiError ? err.code : 'InternalError',
    errorMessage: err === undefined ? '' : redacted.scrub(errorMessageOf(err)),
  };
  return { accountId, event };
}
