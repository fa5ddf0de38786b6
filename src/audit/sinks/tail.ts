import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
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

/** Appends `text` whole (a short write is carried on) and flushes it before it returns. */
export function appendFlushed(path: string, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const fd = openSync(path, 'a', 0o600);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Drops a partial last line: what a write cut short by a crash left after the last newline.
 * Its event was not counted as written (the cursor moves only after the write is flushed), so
 * it is written again, whole; a line appended after it would otherwise be glued to it and both
 * be lost. Returns the bytes dropped.
 */
export function dropPartialLine(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = start + nl + 1;
        break;
      }
      end = start;
    }
    if (end === size) return 0;
    ftruncateSync(fd, end);
    fsyncSync(fd);
    return size - end;
  } finally {
    closeSync(fd);
  }
}
