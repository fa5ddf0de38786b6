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
    if (v !== undefined && v !== '') (referenced[type] ??= []).push(cutToBytes(v, MAX_RESOURCE_BYTES));
  }
  // AssumeRole and its federated kin name their role by its ARN.
  const role = params.RoleArn === undefined ? undefined : ROLE_IN_ARN.exec(params.RoleArn)?.[1];
  if (role !== undefined) (referenced['ACS::RAM::Role'] ??= []).push(cutToBytes(role, MAX_RESOURCE_BYTES));
  const types = Object.keys(referenced);
  if (types.length === 0) return {};
  const main = MAIN_TYPE.find(([re, t]) => re.test(name) && referenced[t])?.[1] ?? types[0]!;
  return {
    resourceType: main,
    resourceName: referenced[main]!.join(','),
    referencedResources: referenced,
  };
}

// ---------------------------------------------------------------------------------------------
// The size of an event. A refused request is recorded with every parameter it sent, and JSON
// escapes a control character as six bytes (`\u0001`): without a bound in bytes of the stored
// text, one request within the body limit would make an event several times its size, which
// every sink then has to carry. Each part an outsider writes is bounded in bytes of its JSON
// text, so the JSON text of an API event stays under MAX_API_EVENT_BYTES.

/** The most bytes an API event's JSON text takes (the sum of the bounds below, with room to spare). */
export const MAX_API_EVENT_BYTES = 128 * 1024;

/** A parameter's value, and the error message: at most this many bytes of JSON text. */
export const MAX_VALUE_BYTES = 16 * 1024;

/** Every parameter together (the JSON text of `requestParameters`); the parameters past it are left out. */
export const MAX_PARAMETERS_BYTES = 64 * 1024;

/** A parameter's name; a longer one is left out with its value. */
const MAX_NAME_BYTES = 256;

/** The caller's user agent, source address, the event source and name. */
const MAX_FIELD_BYTES = 4 * 1024;

/** The caller's identity (its strings are cut to MAX_IDENTITY_STRING_BYTES when it is longer). */
const MAX_IDENTITY_BYTES = 4 * 1024;
const MAX_IDENTITY_STRING_BYTES = 256;

/** A resource named in `resourceName` and `referencedResources` (a name of RAM is far shorter). */
const MAX_RESOURCE_BYTES = 1024;

/** The key under which the event says how many parameters were left out. */
export const PARAMETERS_LEFT_OUT = '...';

/** The marker src/api/audit-event.ts ends a value with when it cut it by characters. */
const CUT_MARKER = /\.\.\.\[cut: \d+ characters\]$/;

/** Bytes of `c` (a UTF-16 code unit at i of s) in JSON text, and how many units it spans. */
function escapedSize(s: string, i: number): [bytes: number, units: number] {
  const c = s.charCodeAt(i);
  if (c === 0x22 || c === 0x5c) return [2, 1];
  if (c < 0x20) return [c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6, 1];
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff ? [4, 2] : [6, 1];
  }
  if (c >= 0xdc00 && c <= 0xdfff) return [6, 1];
  return [3, 1];
}

/** The bytes of a string's JSON text (quotes included). */
function jsonBytes(s: string): number {
  // Most strings need no count: 6 bytes a unit is the most JSON text takes.
  if (s.length <= 32) return s.length * 6 + 2;
  return Buffer.byteLength(jsonString(s));
}

/**
 * `s`, cut so that its JSON text takes at most `max` bytes, ending with the marker
 * `...[cut: N characters]` (N the length before the cut; an earlier cut's marker is kept).
 */
export function cutToBytes(s: string, max: number): string {
  if (s.length * 6 + 2 <= max || Buffer.byteLength(jsonString(s)) <= max) return s;
  const earlier = CUT_MARKER.exec(s);
  const marker = earlier ? earlier[0] : `...[cut: ${s.length} characters]`;
  const text = earlier ? s.slice(0, earlier.index) : s;
  let budget = max - 2 - Buffer.byteLength(marker);
  let i = 0;
  while (i < text.length) {
    const [bytes, units] = escapedSize(text, i);
    if (bytes > budget) break;
    budget -= bytes;
    i += units;
  }
  return text.slice(0, i) + marker;
}

/** The parameters within the bounds: values cut, and those past MAX_PARAMETERS_BYTES left out (counted). */
function boundedParameters(params: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let upper = 2;
  let long = false;
  for (const k in params) {
    const v = params[k]!;
    upper += (k.length + v.length) * 6 + 6;
    if (v.length * 6 + 2 > MAX_VALUE_BYTES || k.length * 6 + 2 > MAX_NAME_BYTES) long = true;
  }
  if (upper <= MAX_PARAMETERS_BYTES && !long) return params;
  const out: Record<string, string> = {};
  // Room for the count of parameters left out.
  let used = 2 + 64;
  let leftOut = 0;
  for (const k of Object.keys(params)) {
    const name = jsonBytes(k);
    const value = cutToBytes(params[k]!, MAX_VALUE_BYTES);
    const entry = name + 1 + jsonBytes(value) + 1;
    if (name > MAX_NAME_BYTES || used + entry > MAX_PARAMETERS_BYTES) {
      leftOut++;
      continue;
    }
    out[k] = value;
    used += entry;
  }
  if (leftOut > 0) out[PARAMETERS_LEFT_OUT] = `[cut: ${leftOut} more parameter(s) not kept]`;
  return out;
}

/** The identity, its strings cut when its JSON text is too long (an AccessKeyId the caller made up). */
function boundedIdentity(identity: UserIdentity): UserIdentity {
  const text = identityText(identity);
  if (text.length * 3 <= MAX_IDENTITY_BYTES || Buffer.byteLength(text) <= MAX_IDENTITY_BYTES) return identity;
  const cutAll = (o: object): object =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? cutToBytes(v, MAX_IDENTITY_STRING_BYTES)
          : typeof v === 'object' && v !== null
            ? cutAll(v as object)
            : (v as unknown),
      ]),
    );
  return cutAll(identity) as UserIdentity;
}

/** The facts within the bounds of an event's size (the same facts when they are, as nearly always). */
export function boundedFacts(f: ApiEventFacts): ApiEventFacts {
  const requestParameters = boundedParameters(f.requestParameters);
  const userIdentity = boundedIdentity(f.userIdentity);
  const name = cutToBytes(f.name, MAX_FIELD_BYTES);
  const eventSource = cutToBytes(f.eventSource, MAX_FIELD_BYTES);
  const sourceIp = cutToBytes(f.sourceIp, MAX_FIELD_BYTES);
  const userAgent = cutToBytes(f.userAgent, MAX_FIELD_BYTES);
  const errorMessage = cutToBytes(f.errorMessage, MAX_VALUE_BYTES);
  if (
    requestParameters === f.requestParameters &&
    userIdentity === f.userIdentity &&
    name === f.name &&
    eventSource === f.eventSource &&
    sourceIp === f.sourceIp &&
    userAgent === f.userAgent &&
    errorMessage === f.errorMessage
  )
    return f;
  return { ...f, requestParameters, userIdentity, name, eventSource, sourceIp, userAgent, errorMessage };
}

export function renderApiEvent(facts: ApiEventFacts): AuditEvent {
  const f = boundedFacts(facts);
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
export function factsText(facts: ApiEventFacts): string {
  // Whole milliseconds a Date can hold (the event's time is written from one).
  if (!Number.isInteger(facts.receivedAtMs) || Math.abs(facts.receivedAtMs) > MAX_TIME_MS)
    throw new RangeError('an event needs the time its request arrived');
  const f = boundedFacts(facts);
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
