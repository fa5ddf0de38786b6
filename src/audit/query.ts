import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { columnText, type AuditEvent } from './event.js';

/** The LookupAttribute keys of LookupEvents 2020-07-06, and the column each matches. */
export const LOOKUP_KEYS = {
  ServiceName: 'service_name',
  EventName: 'event_name',
  User: 'user_name',
  EventId: 'event_id',
  ResourceType: 'resource_type',
  ResourceName: 'resource_name',
  EventRW: 'event_rw',
  EventAccessKeyId: 'access_key_id',
  SensitiveAction: 'sensitive',
  SourceIpAddress: 'source_ip',
  EventType: 'event_type',
  RoleName: 'role_name',
  PrincipalId: 'principal_id',
} as const;

export type LookupKey = keyof typeof LOOKUP_KEYS;

export function isLookupKey(key: string): key is LookupKey {
  return Object.prototype.hasOwnProperty.call(LOOKUP_KEYS, key);
}

export interface LookupFilter {
  readonly key: LookupKey;
  readonly value: string;
}

/** Where a page ends: the last event returned (time, then chain position). */
export interface LookupCursor {
  readonly time: string;
  readonly seq: number;
}

export interface LookupQuery {
  readonly accountId: string;
  /** Inclusive, `yyyy-MM-ddTHH:mm:ssZ`. */
  readonly startTime: string;
  readonly endTime: string;
  readonly filters: readonly LookupFilter[];
  /** BACKWARD: newest first. */
  readonly direction: 'BACKWARD' | 'FORWARD';
  readonly limit: number;
  readonly after?: LookupCursor;
}

export interface LookupPage {
  readonly events: AuditEvent[];
  /** Set when more events match after the last one returned. */
  readonly next?: LookupCursor;
}

/** The events of one account matching every filter, a page at a time. */
export async function lookupEvents(db: Kysely<Database>, q: LookupQuery): Promise<LookupPage> {
  const backward = q.direction === 'BACKWARD';
  let query = db
    .selectFrom('audit_events')
    .select(['event_time', 'seq', 'body'])
    .where('account_id', '=', q.accountId)
    .where('event_time', '>=', q.startTime)
    .where('event_time', '<=', q.endTime);
  for (const f of q.filters) {
    const column = LOOKUP_KEYS[f.key];
    if (column === 'sensitive')
      query = query.where('sensitive', '=', f.value.toLowerCase() === 'true' ? 1 : 0);
    else query = query.where(column, '=', columnText(f.value));
  }
  if (q.after) {
    const { time, seq } = q.after;
    query = backward
      ? query.where((eb) =>
          eb.or([eb('event_time', '<', time), eb.and([eb('event_time', '=', time), eb('seq', '<', seq)])]),
        )
      : query.where((eb) =>
          eb.or([eb('event_time', '>', time), eb.and([eb('event_time', '=', time), eb('seq', '>', seq)])]),
        );
  }
  const rows = await query
    .orderBy('event_time', backward ? 'desc' : 'asc')
    .orderBy('seq', backward ? 'desc' : 'asc')
    .limit(q.limit + 1)
    .execute();
  const kept = rows.slice(0, q.limit);
  const last = kept[kept.length - 1];
  return {
    events: kept.map((r) => JSON.parse(r.body) as AuditEvent),
    ...(rows.length > q.limit && last ? { next: { time: last.event_time, seq: Number(last.seq) } } : {}),
  };
}

/** How many events an account's chain holds now (tests and the CLI). */
export async function countEvents(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select(sql<number>`count(*)`.as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
