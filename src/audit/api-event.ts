/**
 * The audit event of an API request, made from its facts: what the pipeline learned about the
 * request, already redacted (src/api/audit-event.ts gathers them). Kept apart from the request
 * so that a buffered event is rendered where it is appended (the store's writer thread), not on
 * the thread that serves requests; `renderApiEvent` is the one place its shape is decided.
 */
import { ACS_REGION, eventRW, eventTimeOf, type AuditEvent, type UserIdentity } from './event.js';

/** What the event of an API request is made of. Nothing in it is a secret. */
export interface ApiEventFacts {
  /** The account the event belongs to ('' for none). */
  readonly accountId: string;
  readonly requestId: string;
  readonly receivedAtMs: number;
  readonly name: string;
  readonly eventSource: string;
  readonly serviceName: string;
  readonly apiVersion: string | undefined;
  /** Redacted (src/audit/redact.ts). */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly scheme: 'http' | 'https';
  readonly userIdentity: UserIdentity;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly errorCode: string;
  /** Scrubbed of every secret value. */
  readonly errorMessage: string;
}

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

export function renderApiEvent(f: ApiEventFacts): AuditEvent {
  return {
    eventId: f.requestId,
    eventVersion: 1,
    eventCategory: 'Management',
    eventType: 'ApiCall',
    eventName: f.name,
    eventRW: eventRW(f.name),
    eventSource: f.eventSource,
    eventTime: eventTimeOf(new Date(f.receivedAtMs)),
    serviceName: f.serviceName,
    acsRegion: ACS_REGION,
    ...(f.apiVersion !== undefined ? { apiVersion: f.apiVersion } : {}),
    requestId: f.requestId,
    requestParameters: f.requestParameters,
    additionalEventData: { Scheme: f.scheme },
    userIdentity: f.userIdentity,
    sourceIpAddress: f.sourceIp,
    userAgent: f.userAgent,
    ...resources(f.name, f.requestParameters),
    ...(f.accountId ? { recipientAccountId: f.accountId } : {}),
    isGlobal: true,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
  };
}

/** The facts as JSON text: an array in a fixed order (smaller and quicker to write than an object). */
export function factsText(f: ApiEventFacts): string {
  return JSON.stringify([
    f.accountId,
    f.requestId,
    f.receivedAtMs,
    f.name,
    f.eventSource,
    f.serviceName,
    f.apiVersion ?? null,
    f.requestParameters,
    f.scheme,
    f.userIdentity,
    f.sourceIp,
    f.userAgent,
    f.errorCode,
    f.errorMessage,
  ]);
}

const FACT_COUNT = 14;

/** The facts back from `factsText`; throws on text it did not write. */
export function parseFacts(text: string): ApiEventFacts {
  const a: unknown = JSON.parse(text);
  if (!Array.isArray(a) || a.length !== FACT_COUNT) throw new Error('not the facts of an API event');
  const [
    accountId,
    requestId,
    receivedAtMs,
    name,
    eventSource,
    serviceName,
    apiVersion,
    requestParameters,
    scheme,
    userIdentity,
    sourceIp,
    userAgent,
    errorCode,
    errorMessage,
  ] = a as unknown[];
  const strings = [
    accountId,
    requestId,
    name,
    eventSource,
    serviceName,
    sourceIp,
    userAgent,
    errorCode,
    errorMessage,
  ];
  if (
    strings.some((s) => typeof s !== 'string') ||
    typeof receivedAtMs !== 'number' ||
    !(apiVersion === null || typeof apiVersion === 'string') ||
    (scheme !== 'http' && scheme !== 'https') ||
    typeof requestParameters !== 'object' ||
    requestParameters === null ||
    typeof userIdentity !== 'object' ||
    userIdentity === null
  )
    throw new Error('not the facts of an API event');
  return {
    accountId: accountId as string,
    requestId: requestId as string,
    receivedAtMs,
    name: name as string,
    eventSource: eventSource as string,
    serviceName: serviceName as string,
    apiVersion: apiVersion ?? undefined,
    requestParameters: requestParameters as Record<string, string>,
    scheme,
    userIdentity: userIdentity as UserIdentity,
    sourceIp: sourceIp as string,
    userAgent: userAgent as string,
    errorCode: errorCode as string,
    errorMessage: errorMessage as string,
  };
}
