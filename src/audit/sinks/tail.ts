import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFileAtomically } from '../../config.js';
import type { Store } from '../../store/index.js';

/**
 * Reading committed events in chain order, after a cursor (the last seq delivered per
 * account). Within an account, seq order is commit order on both stores (the chain head is
 * locked until the appending transaction commits), so a per-account cursor misses nothing.
 */
export type Cursor = Record<string, number>;

export interface TailRecord {
  readonly accountId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The event's JSON text, exactly as stored and hashed. */
  readonly body: string;
}

/** Up to `limit` events after the cursor, account by account. */
export async function readAfter(store: Store, cursor: Cursor, limit: number): Promise<TailRecord[]> {
  const heads = await store.db
    .selectFrom('audit_chains')
    .select(['account_id', 'seq'])
    .orderBy('account_id')
    .execute();
  const out: TailRecord[] = [];
  for (const h of heads) {
    if (out.length >= limit) break;
    const after = cursor[h.account_id] ?? 0;
    if (Number(h.seq) <= after) continue;
    const rows = await store.db
      .selectFrom('audit_events')
      .select(['seq', 'prev_hash', 'hash', 'body'])
      .where('account_id', '=', h.account_id)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit - out.length)
      .execute();
    for (const r of rows) {
      out.push({
        accountId: h.account_id,
        seq: Number(r.seq),
        prevHash: r.prev_hash,
        hash: r.hash,
        body: r.body,
      });
    }
  }
  return out;
}

export function advance(cursor: Cursor, records: readonly TailRecord[]): Cursor {
  const next = { ...cursor };
  for (const r of records) next[r.accountId] = Math.max(next[r.accountId] ?? 0, r.seq);
  return next;
}

export function readCursor(path: string): Cursor {
  if (!existsSync(path)) return {};
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof o !== 'object' || o === null) return {};
    const c: Cursor = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isSafeInteger(v)) c[k] = v;
    return c;
  } catch {
    return {};
  }
}

export function writeCursor(path: string, cursor: Cursor): void {
  writePrivateFileAtomically(path, `${JSON.stringify(cursor)}\n`);
}

/** The line a file holds for one event (the export format of src/audit/verify.ts). */
export function exportLine(r: TailRecord): string {
  return `{"type":"event","accountId":${JSON.stringify(r.accountId)},"seq":${r.seq},"prevHash":"${r.prevHash}","hash":"${r.hash}","event":${r.body}}`;
}
