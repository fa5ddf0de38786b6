import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFileAtomically } from '../../config.js';
import type { Store } from '../../store/index.js';
import { advance, readAfter, readCursor, writeCursor, type Cursor } from './tail.js';
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
  const batch = opts.batch ?? 100;
  makePrivateDir(opts.spoolDir);
  const spoolPath = join(opts.spoolDir, 'spool.jsonl');
  const cursorPath = join(opts.spoolDir, 'cursor.json');
  const deliveredPath = join(opts.spoolDir, 'delivered');
  let cursor: Cursor = readCursor(cursorPath);
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
    const fd = openSync(spoolPath, 'a', 0o600);
    try {
      writeSync(fd, records.map((r) => `${r.body}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    cursor = advance(cursor, records);
    writeCursor(cursorPath, cursor);
    return records.length;
  }

  /** The next batch of spooled lines after the delivered position, and where it ends. */
  function nextBatch(): { lines: string[]; end: number } {
    const size = spoolSize();
    if (delivered > size) delivered = 0; // the spool was emptied after the position was read
    if (delivered >= size) return { lines: [], end: delivered };
    const fd = openSync(spoolPath, 'r');
    try {
      const want = Math.min(size - delivered, 4 * 1024 * 1024);
      const buf = Buffer.alloc(want);
      const n = readSync(fd, buf, 0, want, delivered);
      const text = buf.subarray(0, n).toString('utf8');
      const lines: string[] = [];
      let pos = 0;
      while (lines.length < batch) {
        const nl = text.indexOf('\n', pos);
        if (nl < 0) break;
        lines.push(text.slice(pos, nl));
        pos = nl + 1;
      }
      return { lines, end: delivered + Buffer.byteLength(text.slice(0, pos)) };
    } finally {
      closeSync(fd);
    }
  }

  /** POSTs the next batch; resolves to how many events the receiver took (throws when it did not). */
  async function deliver(): Promise<number> {
    const { lines, end } = nextBatch();
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
      throw new Error(`the POST to the receiver failed (${redactUrls(String(detail))})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 300 && res.status <= 399) {
      const location = res.headers.get('location');
      throw new Error(
        `the receiver answered HTTP ${res.status}, a redirect to ${location ? urlForLog(location, opts.url) : '(no Location)'}, ` +
          'which is not followed: the batch is not delivered; set RAMPART_AUDIT_WEBHOOK_URL to the URL that takes the POST',
      );
    }
    if (res.status < 200 || res.status > 299) throw new Error(`the receiver answered HTTP ${res.status}`);
    delivered = end;
    writePrivateFileAtomically(deliveredPath, `${delivered}\n`);
    if (delivered >= spoolSize() && delivered >= EMPTY_SPOOL_AT) {
      truncateSync(spoolPath, 0);
      delivered = 0;
      writePrivateFileAtomically(deliveredPath, '0\n');
    }
    return lines.length;
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
