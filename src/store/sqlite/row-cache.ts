import { closeSync, openSync, readSync } from 'node:fs';
import type { HotParam } from '../store.js';

/**
 * Rows of hot reads (src/store/store.ts, `first`) kept in memory for as long as the store's
 * file is known not to have changed, so that a signed request's reads (its AccessKey, the
 * names it acts on, the user or object it reads) seldom run SQLite at all.
 *
 * Whether the file changed is read from SQLite itself: the first 96 bytes of the write-ahead
 * log's index (`<file>-shm`, two copies of its header) change with every commit of every
 * connection and every process, and SQLite writes them before a commit is visible to anyone.
 * Reading them costs a system call, so they are read once per batch of requests, never per
 * row. A request may use a cached row only if the header was read after the request arrived:
 *
 * - Every request arriving (`fresh`) waits for the next check, which runs once all the
 *   requests that arrived in the same turn of the event loop have been read (a `setImmediate`),
 *   and counts itself as an arrival.
 * - A check records how many requests had arrived when it read the header. The cache answers
 *   only while that count is still the current one: no request has arrived since the last
 *   check, so every request in flight arrived before it, and any commit that completed before
 *   one of them was sent is in the header it read. Otherwise the row is read from SQLite as
 *   before (and not kept).
 * - A commit of this process (`changed`) makes every kept row stale at once, so a request
 *   reads its own writes, and requests after it read them too.
 *
 * A row read while a transaction is open on the connection is neither answered from here nor
 * kept, nor is one whose parameters are longer than any a valid request has. Kept rows are
 * frozen: callers share them.
 */
export interface RowCache {
  /** A request arrived: resolves once the header has been read after its arrival. */
  fresh(): Promise<void>;
  /** The row from memory when it is known current, else `read()` (kept when it may be). */
  first(name: string, params: readonly HotParam[], read: () => Record<string, unknown> | undefined): unknown;
  /** This process committed something: every kept row is stale. */
  changed(): void;
  close(): void;
}

/** The index header: two 48-byte copies (SQLite's WalIndexHdr), the rest of the file is not data. */
const HEADER_BYTES = 96;
/** Rows kept at most; the oldest go first. */
const MAX_ROWS = 10_000;
/**
 * Longer keys are not kept: parameters come from callers (an AccessKeyId as sent, an object key),
 * and 10,000 rows under keys of a header's size would hold gigabytes.
 */
const MAX_KEY_CHARS = 2048;
/** A row read as absent is kept too (an unknown AccessKey asked again and again). */
const ABSENT = Symbol('absent');

interface Kept {
  readonly generation: number;
  readonly row: Readonly<Record<string, unknown>> | typeof ABSENT;
}

/**
 * A cache over the database file `file` (in WAL mode, with its `-shm` beside it), or undefined
 * when its index cannot be opened: then every read goes to SQLite.
 */
export function createRowCache(file: string, maxRows = MAX_ROWS): RowCache | undefined {
  let fd: number;
  try {
    fd = openSync(`${file}-shm`, 'r');
  } catch {
    return undefined;
  }
  const header = Buffer.alloc(HEADER_BYTES);
  const seen = Buffer.alloc(HEADER_BYTES);
  const rows = new Map<string, Kept>();
  let generation = 0;
  let arrivals = 0;
  /** The arrival count when the header was last read; -1: never, nothing is answered yet. */
  let checkedAt = -1;
  let waiting: (() => void)[] = [];
  let closed = false;

  function check(): void {
    let read = 0;
    try {
      read = readSync(fd, header, 0, HEADER_BYTES, 0);
    } catch {
      read = 0;
    }
    if (read !== HEADER_BYTES) {
      // Not readable as a header (being created, or gone): nothing kept can be trusted.
      generation++;
      checkedAt = -1;
      return;
    }
    if (!header.equals(seen)) {
      header.copy(seen);
      generation++;
    }
    checkedAt = arrivals;
  }

  function release(): void {
    if (!closed) check();
    const list = waiting;
    waiting = [];
    for (const resolve of list) resolve();
  }

  return {
    fresh() {
      arrivals++;
      return new Promise<void>((resolve) => {
        if (waiting.push(resolve) === 1) setImmediate(release);
      });
    },
    first(name, params, read) {
      if (closed || checkedAt !== arrivals) return read();
      const key = keyOf(name, params);
      if (key.length > MAX_KEY_CHARS) return read();
      const kept = rows.get(key);
      if (kept !== undefined && kept.generation === generation) {
        return kept.row === ABSENT ? undefined : kept.row;
      }
      const row = read();
      if (rows.size >= maxRows && kept === undefined) rows.delete(rows.keys().next().value!);
      rows.set(key, { generation, row: row === undefined ? ABSENT : Object.freeze(row) });
      return row;
    },
    changed() {
      generation++;
    },
    close() {
      if (closed) return;
      closed = true;
      rows.clear();
      closeSync(fd);
    },
  };
}

/** The query's name and its parameters, each with its type and length: no two differ only in where a separator falls. */
function keyOf(name: string, params: readonly HotParam[]): string {
  let key = name;
  for (const p of params) {
    key += p === null ? '\u0000n' : typeof p === 'number' ? `\u0000d${p}` : `\u0000s${p.length}:${p}`;
  }
  return key;
}
