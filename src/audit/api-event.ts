/**
 * The audit event of an API request, made from its facts: what the pipeline learned about the
 * request, already redacted (src/api/audit-event.ts gathers them). Kept apart from the request
 * so that a buffered event is rendered where it is appended (the store's writer thread), not on
 * the thread that serves requests. `renderApiEvent` decides its shape; `FactsRenderer` writes
 * the same JSON text straight from the facts' packed text, byte for byte what
 * `JSON.stringify(renderApiEvent(facts))` gives (test/audit/packed.test.ts holds them together).
 */
import {
  ACS_REGION,
  eventIndexColumns,
  eventRW,
  eventTimeOf,
  type AuditEvent,
  type UserIdentity,
} from './event.js';
import type { PackedEventView } from './packed.js';

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

/** The role name of a role ARN (`acs:ram::<account>:role/<name>`). */
const ROLE_IN_ARN = /^acs:ram::\d*:role\/(.+)$/;

/** Which resource type an action is mainly about, by a word of its name. */
const MAIN_TYPE: readonly (readonly [RegExp, string])[] = [
  [/AccessKey/, 'ACS::RAM::AccessKey'],
  [/MFA/, 'ACS::RAM::MFADevice'],
  [/Polic/, 'ACS::RAM::Policy'],
  [/Group/, 'ACS::RAM::Group'],
  [/Role/, 'ACS::RAM::Role'],
  [/User|LoginProfile|Password/, 'ACS::RAM::User'],
];

function resources(
  name: string,
  params: Readonly<Record<string, string>>,
): { resourceType?: string; resourceName?: string; referencedResources?: Record<string, string[]> } {
  const referenced: Record<string, string[]> = {};
  for (const [param, type] of RESOURCE_PARAMS) {
    const v = params[param];
    if (v !== undefined && v !== '') (referenced[type] ??= []).push(v);
  }
  // AssumeRole and its federated kin name their role by its ARN.
  const role = params.RoleArn === undefined ? undefined : ROLE_IN_ARN.exec(params.RoleArn)?.[1];
  if (role !== undefined) (referenced['ACS::RAM::Role'] ??= []).push(role);
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

/** Text that JSON.stringify escapes: quote, backslash, control characters, lone surrogates. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON text, exactly as JSON.stringify writes it (most need no escape: only quoted). */
function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * Separates the facts in their packed text: a control character, which JSON text never holds
 * raw (inside a string it is escaped), and which no byte of a multi-byte UTF-8 character is.
 */
const SEP = '\u0001';
const FACT_COUNT = 14 as const;

/** The furthest a Date reaches from 1970, either way, in milliseconds. */
const MAX_TIME_MS = 8.64e15;

/** The JSON text of identities written before (frozen ones only: see identityOf in src/api/audit-event.ts). */
const identityTexts = new WeakMap<UserIdentity, string>();

function identityText(identity: UserIdentity): string {
  let text = identityTexts.get(identity);
  if (text === undefined) {
    text = JSON.stringify(identity);
    if (Object.isFrozen(identity)) identityTexts.set(identity, text);
  }
  return text;
}

/**
 * The facts as packed text: each fact as JSON text (the time as its number, the scheme bare),
 * in a fixed order, separated by SEP. Each one is the very text the event's JSON holds for it,
 * so the reader copies it without parsing or escaping it again.
 */
export function factsText(f: ApiEventFacts): string {
  // Whole milliseconds a Date can hold (the event's time is written from one).
  if (!Number.isInteger(f.receivedAtMs) || Math.abs(f.receivedAtMs) > MAX_TIME_MS)
    throw new RangeError('an event needs the time its request arrived');
  return (
    jsonString(f.accountId) +
    SEP +
    jsonString(f.requestId) +
    SEP +
    String(f.receivedAtMs) +
    SEP +
    jsonString(f.name) +
    SEP +
    jsonString(f.eventSource) +
    SEP +
    jsonString(f.serviceName) +
    SEP +
    (f.apiVersion === undefined ? 'null' : jsonString(f.apiVersion)) +
    SEP +
    JSON.stringify(f.requestParameters) +
    SEP +
    f.scheme +
    SEP +
    identityText(f.userIdentity) +
    SEP +
    jsonString(f.sourceIp) +
    SEP +
    jsonString(f.userAgent) +
    SEP +
    jsonString(f.errorCode) +
    SEP +
    jsonString(f.errorMessage)
  );
}

const notFacts = () => new Error('not the facts of an API event');

/** The facts' texts, once split: FACT_COUNT strings. */
type FactTexts = Repeat<string, typeof FACT_COUNT>;
type Repeat<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Repeat<T, N, [T, ...R]>;

/**
 * Renders events from their packed facts (`factsText`'s UTF-8 bytes) into buffers of its own:
 * each body it returns is a view that stays valid (a full buffer is left to its views and a new
 * one begun), so a batch's events are read through without an allocation each. The facts are
 * copied into the event's text as they are; only the few the index columns need are read.
 */
export class FactsRenderer {
  private out = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;

  /** The event of the facts in `src` from `start` to `end`; throws on bytes `factsText` did not write. */
  render(src: Buffer, start: number, end: number): PackedEventView {
    const f = src.toString('utf8', start, end).split(SEP);
    if (f.length !== FACT_COUNT) throw notFacts();
    const [
      account,
      request,
      time,
      nameText,
      source,
      service,
      version,
      params,
      scheme,
      identity,
      ip,
      agent,
      code,
      message,
    ] = f as FactTexts;
    const receivedAtMs = Number(time);
    if (
      !/^-?\d+$/.test(time) ||
      !(Math.abs(receivedAtMs) <= MAX_TIME_MS) ||
      (scheme !== 'http' && scheme !== 'https')
    )
      throw notFacts();
    if (version !== 'null') stringFact(version);
    stringFact(source);
    stringFact(agent);
    stringFact(message);
    const accountId = stringFact(account);
    const name = stringFact(nameText);
    const requestParameters = objectFact(params) as Record<string, string>;
    const userIdentity = identityFact(identity);
    const rw = eventRW(name);
    const eventTime = eventTimeOf(new Date(receivedAtMs));
    const res = resources(name, requestParameters);
    const text =
      `{"eventId":${request},"eventVersion":1,"eventCategory":"Management","eventType":"ApiCall",` +
      `"eventName":${nameText},"eventRW":"${rw}","eventSource":${source},"eventTime":"${eventTime}",` +
      `"serviceName":${service},"acsRegion":${ACS_REGION_TEXT}` +
      (version === 'null' ? '' : `,"apiVersion":${version}`) +
      `,"requestId":${request},"requestParameters":${params},` +
      `"additionalEventData":{"Scheme":"${scheme}"},"userIdentity":${identity},` +
      `"sourceIpAddress":${ip},"userAgent":${agent}` +
      (res.resourceType === undefined
        ? ''
        : `,"resourceType":${jsonString(res.resourceType)},"resourceName":${jsonString(res.resourceName!)},` +
          `"referencedResources":${JSON.stringify(res.referencedResources)}`) +
      (accountId === '' ? '' : `,"recipientAccountId":${account}`) +
      `,"isGlobal":true,"errorCode":${code},"errorMessage":${message}}`;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.out.length) {
      this.out = Buffer.allocUnsafeSlow(Math.max(64 * 1024, text.length * 3));
      this.used = 0;
    }
    const first = this.used;
    this.used += this.out.write(text, first, 'utf8');
    const columns = eventIndexColumns({
      eventId: stringFact(request),
      eventTime,
      eventName: name,
      eventType: 'ApiCall',
      eventRW: rw,
      serviceName: stringFact(service),
      userIdentity,
      sourceIpAddress: stringFact(ip),
      resourceType: res.resourceType,
      resourceName: res.resourceName,
      errorCode: stringFact(code),
    });
    return { accountId, columns, body: this.out.subarray(first, this.used) };
  }
}

const ACS_REGION_TEXT = JSON.stringify(ACS_REGION);

/** JSON text of a string with nothing escaped. */
// eslint-disable-next-line no-control-regex
const PLAIN_STRING = /^"[^"\\\u0000-\u001f]*"$/;

/** A string fact from its JSON text, which must be exactly that: read as JSON when it holds an escape. */
function stringFact(text: string): string {
  if (PLAIN_STRING.test(text)) return text.slice(1, -1);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'string') throw notFacts();
  return parsed;
}

/**
 * Identities read before, by their JSON text: a caller's requests share one, and reading it
 * again would be most of the parsing an event needs. Bounded; emptied when full.
 */
const identities = new Map<string, UserIdentity>();
const MAX_IDENTITIES = 1024;

function identityFact(text: string): UserIdentity {
  let identity = identities.get(text);
  if (identity === undefined) {
    if (identities.size >= MAX_IDENTITIES) identities.clear();
    identity = Object.freeze(objectFact(text)) as UserIdentity;
    identities.set(text, identity);
  }
  return identity;
}

/** An object fact (the parameters, the identity) from its JSON text. */
function objectFact(text: string): object {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw notFacts();
  return parsed;
}
