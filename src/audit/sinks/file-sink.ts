import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../../config.js';
import type { Sealer } from '../../crypto/seal.js';
import type { Store } from '../../store/index.js';
import { sealCheckpoint } from '../chain.js';
import {
  advance,
  appendFlushed,
  dropPartialLine,
  exportLine,
  readAfter,
  readCursor,
  writeCursor,
  type Cursor,
  type TailRecord,
} from './tail.js';

export interface FileSinkOptions {
  /** The JSON Lines file; rotated files are `<path>.1` (newest) .. `<path>.<keep>`. */
  readonly path: string;
  /** Rotate when the file would pass this size (default 100 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 10). */
  readonly keep?: number;
  /** Where the cursor lives (under the data directory). */
  readonly stateDir: string;
  /** Seals the checkpoint that starts each new file (the master key's sealer). */
  readonly sealer: Sealer;
}

/**
 * The JSON Lines file sink: every event, in chain order per account, in the export format
 * (`rampart audit verify --file` checks it; rotated files verify concatenated oldest first).
 * Each file a rotation begins starts with a sealed checkpoint per account at the last event
 * written before it, so the files kept verify from there once the oldest are gone.
 * The file is written and flushed before the cursor moves; after a crash between the two,
 * the lines already in the current file are recognized and not written twice, and a line the
 * crash cut short is dropped and written again whole.
 */
export function createFileSink(store: Store, opts: FileSinkOptions) {
  const maxBytes = opts.maxBytes ?? 100 * 1024 * 1024;
  const keep = opts.keep ?? 10;
  makePrivateDir(opts.stateDir);
  const cursorPath = join(opts.stateDir, 'file-sink.cursor');
  let cursor: Cursor = recover(readCursor(cursorPath), opts.path);

  function rotate(): void {
    rmSync(`${opts.path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${opts.path}.${i}`)) renameSync(`${opts.path}.${i}`, `${opts.path}.${i + 1}`);
    }
    if (existsSync(opts.path)) renameSync(opts.path, `${opts.path}.1`);
  }

  /**
   * The checkpoint lines a new file starts with: per account, the hash of the last event
   * written so far (read from the store), sealed now. An account whose event there is gone
   * (expired) gets the store's own checkpoint at that position when it has one.
   */
  async function anchors(): Promise<string> {
    const createdAt = new Date().toISOString();
    let lines = '';
    for (const [accountId, seq] of Object.entries(cursor).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (seq <= 0) continue;
      const event = await store.db
        .selectFrom('audit_events')
        .select('hash')
        .where('account_id', '=', accountId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (event) {
        const c = { accountId, seq, hash: event.hash, createdAt };
        lines += `${JSON.stringify({ type: 'checkpoint', ...c, seal: sealCheckpoint(opts.sealer, c) })}\n`;
        continue;
      }
      const kept = await store.db
        .selectFrom('audit_checkpoints')
        .select(['hash', 'created_at', 'seal'])
        .where('account_id', '=', accountId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (kept) {
        const c = { accountId, seq, hash: kept.hash, createdAt: kept.created_at, seal: kept.seal };
        lines += `${JSON.stringify({ type: 'checkpoint', ...c })}\n`;
      }
    }
    return lines;
  }

  return {
    name: 'file',
    /**
     * Copies the next events to the file; resolves to how many. A file is rotated before the
     * line that would take it past `maxBytes` (a file holds at least one event, however long),
     * so a backlog copied at once is spread over as many files as it needs.
     */
    async pump(limit = 1000): Promise<number> {
      const records = await readAfter(store, cursor, limit);
      if (records.length === 0) return 0;
      let size = existsSync(opts.path) ? statSync(opts.path).size : 0;
      let holdsEvents = size > 0;
      let text = '';
      // A new file after a rotation starts with its anchors (also when a crash came between
      // the rotation and the first write to the new file).
      if (size === 0 && existsSync(`${opts.path}.1`)) {
        text = await anchors();
        size = Buffer.byteLength(text);
      }
      let from = 0;
      for (let i = 0; i < records.length; i++) {
        const line = `${exportLine(records[i]!)}\n`;
        const bytes = Buffer.byteLength(line);
        if (holdsEvents && size + bytes > maxBytes) {
          written(text, records.slice(from, i));
          from = i;
          rotate();
          text = await anchors();
          size = Buffer.byteLength(text);
          holdsEvents = false;
        }
        text += line;
        size += bytes;
        holdsEvents = true;
      }
      written(text, records.slice(from));
      return records.length;
    },
  };

  /** Appends `text` to the file and flushes it, then moves the cursor past `records`. */
  function written(text: string, records: readonly TailRecord[]): void {
    if (text !== '') appendFlushed(opts.path, text);
    cursor = advance(cursor, records);
    writeCursor(cursorPath, cursor);
  }
}

/**
 * The cursor, moved past any line the current file already holds (a crash after the write),
 * once a partial last line (a crash during the write) is dropped.
 */
function recover(cursor: Cursor, path: string): Cursor {
  if (!existsSync(path)) return cursor;
  dropPartialLine(path);
  const next = { ...cursor };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\{"type":"event","accountId":("(?:[^"\\]|\\.)*"),"seq":(\d+),/.exec(line);
    if (!m) continue;
    const account = JSON.parse(m[1]!) as string;
    next[account] = Math.max(next[account] ?? 0, Number(m[2]));
  }
  return next;
}
