import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../src/store/index.js';
import type { AuditEvent } from '../../src/audit/event.js';
import type { KeyPair, TestServer } from '../helpers/server.js';
import { popClient } from '../helpers/server.js';

/** The store of a running test server, opened beside it (SQLite WAL or the same PostgreSQL database). */
export function openServerStore(server: Pick<TestServer, 'dataDir' | 'databaseUrl'>): Promise<Store> {
  return openStore({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, skipMigrations: true });
}

export interface StoredEvent {
  readonly accountId: string;
  readonly seq: number;
  readonly body: string;
  readonly event: AuditEvent;
}

/** Every stored event, in chain order. */
export async function storedEvents(store: Store, accountId?: string): Promise<StoredEvent[]> {
  let q = store.db.selectFrom('audit_events').select(['account_id', 'seq', 'body']);
  if (accountId !== undefined) q = q.where('account_id', '=', accountId);
  const rows = await q.orderBy('account_id').orderBy('seq').execute();
  return rows.map((r) => ({
    accountId: r.account_id,
    seq: Number(r.seq),
    body: r.body,
    event: JSON.parse(r.body) as AuditEvent,
  }));
}

/** A LookupEvents call through @alicloud/pop-core (API version 2020-07-06). */
export async function lookup(
  server: Pick<TestServer, 'endpoint'>,
  keys: KeyPair,
  params: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  return popClient(server, keys, '2020-07-06').request('LookupEvents', params, { method: 'POST' });
}

/** LookupAttribute.N.Key/Value parameters. */
export function attributes(...pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  pairs.forEach(([k, v], i) => {
    out[`LookupAttribute.${i + 1}.Key`] = k;
    out[`LookupAttribute.${i + 1}.Value`] = v;
  });
  return out;
}

/** Polls until check passes (buffered events are appended within a flush period). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** An event of the system identity with no parameters, at a given time. */
export function syntheticEvent(name: string, at: Date): AuditEvent {
  return {
    eventId: randomUUID().toUpperCase(),
    eventVersion: 1,
    eventCategory: 'Management',
    eventType: 'ApiCall',
    eventName: name,
    eventRW: 'Read',
    eventSource: 'ram.aliyuncs.com',
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    serviceName: 'Ram',
    acsRegion: 'cn-hangzhou',
    requestParameters: {},
    userIdentity: { type: 'system' },
    isGlobal: true,
    errorCode: '',
    errorMessage: '',
  };
}
