import { sql, type Kysely } from 'kysely';
import type { Database, StoreDialect } from '../store/index.js';
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

/**
 * Whether an event names a resource through `referencedResources` (ResourceType: its keys;
 * ResourceName: its values), besides its main `resourceType`/`resourceName`.
 */
function referencesResource(event: AuditEvent, f: LookupFilter): boolean {
  const referenced = event.referencedResources;
  if (!referenced) return false;
  if (f.key === 'ResourceType') return Object.hasOwn(referenced, f.value);
  return Object.values(referenced).some((names) => names.includes(f.value));
}

/** Events read a batch at a time while a filter is checked on their text (ResourceType, ResourceName). */
const SCAN_BATCH = 500;

/**
 * The events of one account matching every filter, a page at a time. ResourceType and
 * ResourceName match the main resource's column, or a resource the event references
 * (`referencedResources`, as the reference has them): the store narrows those to the events
 * whose text holds the value as a JSON string, and each is then checked here.
 */
export async function lookupEvents(
  db: Kysely<Database>,
  q: LookupQuery,
  dialect: StoreDialect,
): Promise<LookupPage> {
  const backward = q.direction === 'BACKWARD';
  const referenced = q.filters.filter((f) => f.key === 'ResourceType' || f.key === 'ResourceName');
  const contains = (needle: string) =>
    dialect === 'postgres'
      ? sql<boolean>`strpos(body, ${needle}) > 0`
      : sql<boolean>`instr(body, ${needle}) > 0`;
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
    else if (referenced.includes(f))
      query = query.where((eb) =>
        eb.or([eb(column, '=', columnText(f.value)), contains(JSON.stringify(f.value))]),
      );
    else query = query.where(column, '=', columnText(f.value));
  }
  const ordered = (after: LookupCursor | undefined, limit: number) => {
    let page = query;
    if (after) {
      const { time, seq } = after;
      page = backward
        ? page.where((eb) =>
            eb.or([eb('event_time', '<', time), eb.and([eb('event_time', '=', time), eb('seq', '<', seq)])]),
          )
        : page.where((eb) =>
            eb.or([eb('event_time', '>', time), eb.and([eb('event_time', '=', time), eb('seq', '>', seq)])]),
          );
    }
    return page
      .orderBy('event_time', backward ? 'desc' : 'asc')
      .orderBy('seq', backward ? 'desc' : 'asc')
      .limit(limit)
      .execute();
  };
  type Row = Awaited<ReturnType<typeof ordered>>[number];
  /** Whether an event the store let through matches: always, unless a filter was narrowed on its text. */
  const keeps = (event: AuditEvent) =>
    referenced.every(
      (f) =>
        columnText((f.key === 'ResourceType' ? event.resourceType : event.resourceName) ?? null) ===
          columnText(f.value) || referencesResource(event, f),
    );
  // One query for a page, unless a filter was narrowed on the events' text: a row let through may
  // hold the value elsewhere (a parameter that names no resource), so batches are read on until
  // the page is full or the window is done.
  const batch = referenced.length === 0 ? q.limit + 1 : SCAN_BATCH;
  const matched: { row: Row; event: AuditEvent }[] = [];
  let after = q.after;
  for (;;) {
    const rows = await ordered(after, batch);
    for (const row of rows) {
      const event = JSON.parse(row.body) as AuditEvent;
      if (keeps(event)) matched.push({ row, event });
      if (matched.length > q.limit) break;
    }
    const last = rows[rows.length - 1];
    if (matched.length > q.limit || rows.length < batch || !last) break;
    after = { time: last.event_time, seq: Number(last.seq) };
  }
  const kept = matched.slice(0, q.limit);
  const last = kept[kept.length - 1]?.row;
  return {
    events: kept.map((m) => m.event),
    ...(matched.length > q.limit && last ? { next: { time: last.event_time, seq: Number(last.seq) } } : {}),
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
