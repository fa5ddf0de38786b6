import { createHash } from 'node:crypto';
import { eventTimeOf } from '../../audit/event.js';
import { isLookupKey, type LookupFilter, type LookupKey } from '../../audit/query.js';
import { internalError, invalidParameter } from '../../errors.js';
import { defineAction, type ParamSchema } from '../action.js';

/**
 * LookupEvents (ActionTrail 2020-07-06; reference actiontrail-lookupevents.md): the caller's
 * account's events, newest first by default, filtered by at most two LookupAttribute
 * conditions and a time window, a page of MaxResults at a time. Every bad input is
 * InvalidParameter with a message naming the parameter and the rule.
 */

/** Default page size (the reference's example value). */
const DEFAULT_MAX_RESULTS = 20;
const MAX_MAX_RESULTS = 50;
/** The default window: the last 7 days. */
const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** The pairs two conditions may form (reference: allowed key pairs). */
const ALLOWED_PAIRS: Readonly<Record<string, readonly LookupKey[]>> = {
  ServiceName: [
    'EventName',
    'User',
    'PrincipalId',
    'RoleName',
    'ResourceName',
    'EventRW',
    'SensitiveAction',
    'EventType',
  ],
  ResourceName: ['ResourceType', 'EventName', 'User', 'RoleName', 'ServiceName'],
  EventType: ['EventName'],
};

function pairAllowed(a: LookupKey, b: LookupKey): boolean {
  return (ALLOWED_PAIRS[a]?.includes(b) ?? false) || (ALLOWED_PAIRS[b]?.includes(a) ?? false);
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** A time as events and answers write it: the form, and a real instant in that very spelling. */
function isEventTime(raw: unknown): raw is string {
  if (typeof raw !== 'string' || !TIME.test(raw)) return false;
  const d = new Date(raw);
  return !Number.isNaN(d.getTime()) && eventTimeOf(d) === raw;
}

function parseTime(name: string, raw: string): string {
  if (!isEventTime(raw)) throw invalidParameter(name, 'must be a UTC time in the form yyyy-MM-ddTHH:mm:ssZ.');
  return raw;
}

export interface LookupEventsParams {
  readonly startTime?: string;
  readonly endTime?: string;
  readonly maxResults: number;
  readonly direction: 'BACKWARD' | 'FORWARD';
  readonly filters: readonly LookupFilter[];
  readonly nextToken?: string;
}

const ATTRIBUTE = /^LookupAttribute\.([1-9]\d{0,2})\.(Key|Value)$/;

export const lookupEventsParams: ParamSchema<LookupEventsParams> = {
  parse(raw) {
    const start =
      raw.StartTime === undefined || raw.StartTime === '' ? undefined : parseTime('StartTime', raw.StartTime);
    const end =
      raw.EndTime === undefined || raw.EndTime === '' ? undefined : parseTime('EndTime', raw.EndTime);
    if ((start === undefined) !== (end === undefined)) {
      throw invalidParameter(
        start === undefined ? 'StartTime' : 'EndTime',
        'must be given together with the other end of the time range (StartTime and EndTime, or neither).',
      );
    }
    if (start !== undefined && end !== undefined && start > end) {
      throw invalidParameter('StartTime', 'must not be later than EndTime.');
    }
    let maxResults = DEFAULT_MAX_RESULTS;
    if (raw.MaxResults !== undefined && raw.MaxResults !== '') {
      if (
        !/^\d{1,3}$/.test(raw.MaxResults) ||
        Number(raw.MaxResults) < 1 ||
        Number(raw.MaxResults) > MAX_MAX_RESULTS
      ) {
        throw invalidParameter('MaxResults', `MUST be in the range of 1 and ${MAX_MAX_RESULTS}.`);
      }
      maxResults = Number(raw.MaxResults);
    }
    const direction = raw.Direction === undefined || raw.Direction === '' ? 'BACKWARD' : raw.Direction;
    if (direction !== 'BACKWARD' && direction !== 'FORWARD') {
      throw invalidParameter('Direction', 'must be BACKWARD or FORWARD.');
    }
    // LookupAttribute.N.Key / .Value, in the order of N.
    const byIndex = new Map<number, { key?: string; value?: string }>();
    for (const name of Object.keys(raw)) {
      const m = ATTRIBUTE.exec(name);
      if (!m) {
        if (name.startsWith('LookupAttribute'))
          throw invalidParameter(name, 'is not a LookupAttribute.N.Key or LookupAttribute.N.Value.');
        continue;
      }
      const n = Number(m[1]);
      const entry = byIndex.get(n) ?? {};
      if (m[2] === 'Key') entry.key = raw[name];
      else entry.value = raw[name];
      byIndex.set(n, entry);
    }
    const conditions: LookupFilter[] = [];
    // Only the first two attributes count: those beyond are ignored, not checked.
    for (const n of [...byIndex.keys()].sort((a, b) => a - b).slice(0, 2)) {
      const { key, value } = byIndex.get(n)!;
      if (key === undefined || key === '')
        throw invalidParameter(
          `LookupAttribute.${n}.Key`,
          'is mandatory when LookupAttribute.' + n + '.Value is given.',
        );
      if (!isLookupKey(key))
        throw invalidParameter(`LookupAttribute.${n}.Key`, `is not a lookup key: ${key.slice(0, 64)}.`);
      if (value === undefined || value === '')
        throw invalidParameter(`LookupAttribute.${n}.Value`, 'is mandatory for this action.');
      if (key === 'SensitiveAction' && value !== 'true' && value !== 'false') {
        throw invalidParameter(`LookupAttribute.${n}.Value`, 'must be true or false for SensitiveAction.');
      }
      if (key === 'EventRW' && value !== 'Read' && value !== 'Write') {
        throw invalidParameter(`LookupAttribute.${n}.Value`, 'must be Read or Write for EventRW.');
      }
      conditions.push({ key, value });
    }
    // Of two with the same key, the second.
    const used = conditions;
    const filters = used.length === 2 && used[0]!.key === used[1]!.key ? [used[1]!] : used;
    if (filters.length === 2 && !pairAllowed(filters[0]!.key, filters[1]!.key)) {
      throw invalidParameter('LookupAttribute', `cannot combine ${filters[0]!.key} with ${filters[1]!.key}.`);
    }
    const nextToken = raw.NextToken === undefined || raw.NextToken === '' ? undefined : raw.NextToken;
    return {
      ...(start !== undefined ? { startTime: start } : {}),
      ...(end !== undefined ? { endTime: end } : {}),
      maxResults,
      direction,
      filters,
      ...(nextToken !== undefined ? { nextToken } : {}),
    };
  },
};

/**
 * A page token: the window searched, where the page ended, and which query it belongs to,
 * sealed under the master key (AuditTrailReader.sealPageToken), so that a caller can neither
 * widen its window nor move its place.
 */
interface Token {
  readonly v: 1;
  readonly w: readonly [string, string];
  readonly t: string;
  readonly s: number;
  readonly q: string;
}

function fingerprint(accountId: string, p: LookupEventsParams): string {
  const text = JSON.stringify([accountId, p.startTime ?? '', p.endTime ?? '', p.direction, p.filters]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function badToken() {
  return invalidParameter('NextToken', 'is not valid for these parameters.');
}

function decodeToken(
  sealed: string,
  open: (token: string) => string | undefined,
  q: string,
  given: { startTime?: string; endTime?: string },
): Token {
  if (sealed.length > 1024) throw badToken();
  const text = open(sealed);
  if (text === undefined) throw badToken();
  let token: Token;
  try {
    token = JSON.parse(text) as Token;
  } catch {
    throw badToken();
  }
  if (
    typeof token !== 'object' ||
    token === null ||
    token.v !== 1 ||
    token.q !== q ||
    !Array.isArray(token.w) ||
    token.w.length !== 2 ||
    !isEventTime(token.w[0]) ||
    !isEventTime(token.w[1]) ||
    token.w[0] > token.w[1] ||
    !isEventTime(token.t) ||
    !Number.isSafeInteger(token.s) ||
    token.s < 1 ||
    // The window of the first page is the one the request gave, when it gave one.
    (given.startTime !== undefined && (token.w[0] !== given.startTime || token.w[1] !== given.endTime))
  ) {
    throw badToken();
  }
  return token;
}

export default defineAction({
  service: 'actiontrail',
  name: 'LookupEvents',
  params: lookupEventsParams,
  authorize: (req) => ({
    action: 'actiontrail:LookupEvents',
    resource: `acs:actiontrail:*:${req.accountId}:*`,
  }),
  async handle(req, { auditTrail }) {
    if (!auditTrail) throw internalError();
    const p = req.params;
    const q = fingerprint(req.accountId, p);
    const token =
      p.nextToken !== undefined ? decodeToken(p.nextToken, auditTrail.openPageToken, q, p) : undefined;
    const nowText = req.context['acs:CurrentTime']?.values[0];
    const now = typeof nowText === 'string' ? new Date(nowText) : new Date();
    const window: readonly [string, string] = token
      ? token.w
      : [
          p.startTime ?? eventTimeOf(new Date(now.getTime() - DEFAULT_WINDOW_MS)),
          p.endTime ?? eventTimeOf(now),
        ];
    const page = await auditTrail.lookup({
      accountId: req.accountId,
      startTime: window[0],
      endTime: window[1],
      filters: p.filters,
      direction: p.direction,
      limit: p.maxResults,
      ...(token ? { after: { time: token.t, seq: token.s } } : {}),
    });
    const next = page.next
      ? auditTrail.sealPageToken(
          JSON.stringify({ v: 1, w: window, t: page.next.time, s: page.next.seq, q } satisfies Token),
        )
      : '';
    return { StartTime: window[0], EndTime: window[1], NextToken: next, Events: page.events };
  },
});
