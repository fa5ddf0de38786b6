import { closeSync, existsSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFileAtomically } from '../../config.js';
import type { Store } from '../../store/index.js';
import {
  advance,
  appendFlushed,
  dropPartialLine,
  readAfter,
  readCursor,
  writeCursor,
  type Cursor,
} from './tail.js';
import { hasUrlCredentials, redactUrls, urlForLog, WEBHOOK_URL_CREDENTIALS } from './webhook-url.js';

export interface WebhookSinkOptions {
  /** The receiver; without user information (hasUrlCredentials): the token is how to authenticate. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when set; never logged. */
  readonly token?: string | undefined;
  /** Events per POST (default 100). */
  readonly batch?: number;
  /** The spool's directory, under the data directory. */
  readonly spoolDir: string;
  /** Per-request timeout (default 4 s, so a stop never waits long for a receiver that hangs). */
  readonly timeoutMs?: number;
}

/** A spool this large, once delivered to its end, is emptied. */
const EMPTY_SPOOL_AT = 1024 * 1024;

/** How much of the spool one batch reads; a longer line is read to its end and sent alone. */
export const SPOOL_READ_WINDOW = 4 * 1024 * 1024;

/**
 * Why a token is refused: it is sent as `Authorization: Bearer <token>`, where a space, a
 * control character (a newline pasted with it) or a non-ASCII character is not allowed. The
 * message never shows the token.
 */
export function webhookTokenProblem(token: string | undefined): string | undefined {
  if (!token || /^[\x21-\x7e]+$/.test(token)) return undefined;
  return 'RAMPART_AUDIT_WEBHOOK_TOKEN must be printable ASCII without spaces or control characters (it is sent as Authorization: Bearer <token>); check for a newline or space copied with it';
}

/**
 * The webhook sink: events are copied from the store into a spool file on disk (flushed),
 * then POSTed in batches as `{"events":[...]}` (ActionTrail event objects). The delivered
 * position is kept on disk and moves only after a 2xx answer, so a receiver that is down,
 * or a restart of Rampart meanwhile, loses nothing: delivery resumes where it stopped. It is
 * at least once: after a crash between a delivery and the record of it, a batch may come
 * again with the same eventIds, which the receiver uses to drop duplicates. Redirects are not
 * followed (fetch would turn the POST into a body-less GET, or post the events to wherever the
 * receiver points): a 3xx is a failed delivery, retried, and its Location is logged.
 */
export function createWebhookSink(store: Store, opts: WebhookSinkOptions) {
  if (hasUrlCredentials(opts.url)) throw new Error(WEBHOOK_URL_CREDENTIALS);
  const tokenProblem = webhookTokenProblem(opts.token);
  if (tokenProblem) throw new Error(tokenProblem);
  const batch = opts.batch ?? 100;
  makePrivateDir(opts.spoolDir);
  const spoolPath = join(opts.spoolDir, 'spool.jsonl');
  const cursorPath = join(opts.spoolDir, 'cursor.json');
  const deliveredPath = join(opts.spoolDir, 'delivered');
  let cursor: Cursor = readCursor(cursorPath);
  // A line a crash cut short is dropped: its event is spooled again (the cursor had not moved).
  dropPartialLine(spoolPath);
  let delivered = readDelivered();

  function readDelivered(): number {
    if (!existsSync(deliveredPath)) return 0;
    try {
      const n = Number(readFileText(deliveredPath).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  function spoolSize(): number {
    return existsSync(spoolPath) ? statSync(spoolPath).size : 0;
  }

  /** Copies the next events from the store into the spool; resolves to how many. */
  async function spool(limit = 1000): Promise<number> {
    const records = await readAfter(store, cursor, limit);
    if (records.length === 0) return 0;
    appendFlushed(spoolPath, records.map((r) => `${r.body}\n`).join(''));
    cursor = advance(cursor, records);
    writeCursor(cursorPath, cursor);
    return records.length;
  }

  /**
   * The next batch of spooled lines after the delivered position, and where it ends. A line
   * longer than the read window (an event stored before events were bounded in size) is read
   * to its end and makes a batch alone: it never holds up the lines after it.
   */
  function nextBatch(): { lines: string[]; end: number; long: boolean } {
    const size = spoolSize();
    if (delivered > size) delivered = 0; // the spool was emptied after the position was read
    if (delivered >= size) return { lines: [], end: delivered, long: false };
    const fd = openSync(spoolPath, 'r');
    try {
      const want = Math.min(size - delivered, SPOOL_READ_WINDOW);
      const buf = Buffer.alloc(want);
      const n = readSync(fd, buf, 0, want, delivered);
      const lines: string[] = [];
      let pos = 0;
      while (lines.length < batch) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0 || nl >= n) break;
        lines.push(buf.toString('utf8', pos, nl));
        pos = nl + 1;
      }
      if (lines.length > 0 || delivered + n >= size) return { lines, end: delivered + pos, long: false };
      const chunks = [buf.subarray(0, n)];
      let at = delivered + n;
      while (at < size) {
        const chunk = Buffer.alloc(Math.min(size - at, SPOOL_READ_WINDOW));
        const got = readSync(fd, chunk, 0, chunk.length, at);
        if (got === 0) break;
        const nl = chunk.subarray(0, got).indexOf(0x0a);
        if (nl >= 0) {
          chunks.push(chunk.subarray(0, nl));
          const line = Buffer.concat(chunks).toString('utf8');
          return { lines: [line], end: at + nl + 1, long: true };
        }
        chunks.push(chunk.subarray(0, got));
        at += got;
      }
      return { lines: [], end: delivered, long: false };
    } finally {
      closeSync(fd);
    }
  }

  /** Moves the delivered position to `end` (on disk first), emptying a large spool delivered to its end. */
  function deliveredTo(end: number): void {
    delivered = end;
    writePrivateFileAtomically(deliveredPath, `${delivered}\n`);
    if (delivered >= spoolSize() && delivered >= EMPTY_SPOOL_AT) {
      // The position goes back to 0 before the spool is emptied: a crash in between sends the
      // spool again (at least once), never skips what is spooled after it.
      delivered = 0;
      writePrivateFileAtomically(deliveredPath, '0\n');
      truncateSync(spoolPath, 0);
    }
  }

  /** POSTs the next batch; resolves to how many events the receiver took (throws when it did not). */
  async function deliver(): Promise<number> {
    const { lines, end, long } = nextBatch();
    if (lines.length === 0) return 0;
    let res: Response;
    try {
      res = await fetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'rampart-audit',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body: `{"events":[${lines.join(',')}]}`,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 4000),
      });
    } catch (err) {
      // Its message (or its cause's) may name the URL: the user information and query go.
      const e = err as Error & { cause?: { message?: string } };
      const detail = e.cause?.message ? `${e.message}: ${e.cause.message}` : e.message;
      throw new Error(`the POST to the receiver failed (${scrubToken(redactUrls(String(detail)))})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 300 && res.status <= 399) {
      const location = res.headers.get('location');
      throw new Error(
        `the receiver answered HTTP ${res.status}, a redirect to ${location ? urlForLog(location, opts.url) : '(no Location)'}, ` +
          'which is not followed: the batch is not delivered; set RAMPART_AUDIT_WEBHOOK_URL to the URL that takes the POST',
      );
    }
    if (res.status === 413 && long) {
      // An event too large for the receiver would be refused every time: it is left out of the
      // webhook (the store and the file sink keep it), and the events after it go on.
      const bytes = end - delivered;
      deliveredTo(end);
      throw new Error(
        `the receiver refused an event of ${bytes} bytes as too large (HTTP 413): it is left out of the webhook (rampart audit export has it)`,
      );
    }
    if (res.status < 200 || res.status > 299) throw new Error(`the receiver answered HTTP ${res.status}`);
    deliveredTo(end);
    return lines.length;
  }

  /** The token, should a message hold it, as REDACTED (a valid token is never in one). */
  function scrubToken(text: string): string {
    return opts.token && opts.token.length >= 4 ? text.split(opts.token).join('****') : text;
  }

  return { name: 'webhook', spool, deliver };
}

function readFileText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
