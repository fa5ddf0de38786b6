import { FactsRenderer, factsText, type ApiEventFacts } from './api-event.js';
import type { EventText } from './chain.js';
import { eventIndexColumns, type PendingEvent } from './event.js';

/**
 * Buffered events packed as bytes. An event is written, when it is recorded, into a byte buffer
 * outside the JavaScript heap (as its JSON text and index columns, or, for an API request, as
 * its facts): the strings die young instead of surviving collections while the event waits for
 * its batch.
 *
 * The buffers are shared memory (SharedArrayBuffer), used again once their batch is appended:
 * a batch reaches the writer thread without a copy (a shared buffer is passed, not cloned), and
 * the serving thread neither copies a batch nor allocates and faults in fresh memory for each.
 * The packer keeps the bytes until `release`, so a batch the writer thread could not append
 * (or a thread that stopped) is retried from them.
 *
 * One event: a 32-bit little-endian byte length, then that many bytes of UTF-8 text, either
 * - a JSON array of the account id and the index columns of EventText (EVENT_COLUMNS order), a
 *   line feed, and the event's JSON text (JSON text holds no raw line feed, so the first one
 *   ends the array); or
 * - `F` and the facts of an API request's event (src/audit/api-event.ts, `factsText`), which
 *   the reader renders (`FactsRenderer`): the serving thread then neither builds the event nor
 *   writes its text.
 */
const LINE_FEED = 0x0a;
const FACTS = 0x46; // 'F'

/** Columns an event has in its array: the account id, then the 15 index columns. */
const ARRAY_LENGTH = 16;

/** A buffer grown past this is not used again. */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

/**
 * Released buffers kept for the next batches: one batch is appended at a time, so two cover the
 * one being filled and the one coming back (a full batch's buffer grows to several MiB).
 */
const MAX_SPARE = 2;

/** A batch of packed events: `bytes` holds exactly `count` events. */
export interface PackedEvents {
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Appends events to a growing buffer; `take()` hands over what was packed so far. */
export class EventPacker {
  private buf: Buffer;
  private used = 0;
  private n = 0;
  /** Buffers released by their batches, for the next ones. */
  private readonly spare: SharedArrayBuffer[] = [];
  /** The buffers of batches taken and not yet released: only those go back to `spare`. */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  constructor(private readonly initialBytes = 64 * 1024) {
    this.buf = Buffer.from(new SharedArrayBuffer(initialBytes));
  }

  get count(): number {
    return this.n;
  }

  get bytes(): number {
    return this.used;
  }

  add(pending: PendingEvent): void {
    const { accountId, event } = pending;
    // Written as two strings: joined, they would be copied into one before the write.
    const head = JSON.stringify([accountId, ...eventIndexColumns(event)]);
    const body = JSON.stringify(event);
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.reserve(4 + (head.length + 1 + body.length) * 3);
    const start = this.used + 4;
    let at = start + this.buf.write(head, start, 'utf8');
    this.buf[at++] = LINE_FEED;
    at += this.buf.write(body, at, 'utf8');
    this.ended(start, at);
  }

  /** The event of an API request, by its facts: rendered when the batch is read. */
  addFacts(facts: ApiEventFacts): void {
    // Refused here (factsText throws), where the caller hears of it, not when the writer thread
    // renders the batch.
    const text = factsText(facts);
    this.reserve(4 + 1 + text.length * 3);
    const start = this.used + 4;
    this.buf[start] = FACTS;
    this.ended(start, start + 1 + this.buf.write(text, start + 1, 'utf8'));
  }

  /** The event written from `start` (after its length) to `end` is packed: its length goes before it. */
  private ended(start: number, end: number): void {
    this.buf.writeUInt32LE(end - start, this.used);
    this.used = end;
    this.n++;
  }

  /**
   * The events packed so far, as a batch of their own: a view of the packer's buffer, which
   * then starts a new one. Give the batch back with `release` once it is appended or dropped.
   */
  take(): PackedEvents {
    const batch = { count: this.n, bytes: new Uint8Array(this.buf.buffer, 0, this.used) };
    this.lent.add(this.buf.buffer);
    const next = this.spare.pop() ?? new SharedArrayBuffer(this.initialBytes);
    this.buf = Buffer.from(next);
    this.used = 0;
    this.n = 0;
    return batch;
  }

  /**
   * A batch `take` made is done with (appended, or dropped): its buffer holds the next events.
   * Nothing may read the batch after. Batches made otherwise (`splitPacked`'s halves) are let be.
   */
  release(batch: PackedEvents): void {
    const buffer = batch.bytes.buffer;
    if (!this.lent.delete(buffer) || !(buffer instanceof SharedArrayBuffer)) return;
    if (this.spare.length < MAX_SPARE && buffer.byteLength <= MAX_KEPT_BYTES) this.spare.push(buffer);
  }

  private reserve(more: number): void {
    if (this.used + more <= this.buf.length) return;
    const next = Buffer.from(new SharedArrayBuffer(Math.max(this.buf.length * 2, this.used + more)));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}

/** One packed event as read back: its fields as strings, except the JSON text, kept as bytes. */
export interface PackedEventView {
  readonly accountId: string;
  readonly columns: (string | number | null)[];
  /** The JSON text's UTF-8 bytes: a view into the batch, or into the buffer it was rendered in. */
  readonly body: Uint8Array;
}

const broken = (why: string) => new Error(`a packed audit batch is damaged: ${why}`);

/** Reads a batch's events in order. Throws on bytes that are not a whole batch. */
export function* readPacked(batch: PackedEvents): Generator<PackedEventView> {
  const { bytes } = batch;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let renderer: FactsRenderer | undefined;
  for (let i = 0; i < batch.count; i++) {
    if (at + 4 > buf.length) throw broken('it ends inside an event');
    const end = at + 4 + buf.readUInt32LE(at);
    if (end > buf.length) throw broken('it ends inside an event');
    if (end > at + 4 && buf[at + 4] === FACTS) {
      let view: PackedEventView;
      try {
        view = (renderer ??= new FactsRenderer()).render(buf, at + 5, end);
      } catch {
        throw broken('an event has no facts');
      }
      yield view;
      at = end;
      continue;
    }
    const nl = buf.indexOf(LINE_FEED, at + 4);
    if (nl < 0 || nl >= end) throw broken('an event has no columns');
    const array: unknown = JSON.parse(buf.toString('utf8', at + 4, nl));
    if (!Array.isArray(array) || array.length !== ARRAY_LENGTH || typeof array[0] !== 'string')
      throw broken('an event has no columns');
    const [accountId, ...columns] = array as [string, ...(string | number | null)[]];
    yield { accountId, columns, body: buf.subarray(nl + 1, end) };
    at = end;
  }
  if (at !== buf.length) throw broken('it holds more than its count');
}

/** A batch read back as EventText (every field a string): for stores without a writer thread. */
export function unpackEvents(batch: PackedEvents): EventText[] {
  const out: EventText[] = [];
  for (const e of readPacked(batch)) {
    const b = Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength);
    out.push({ accountId: e.accountId, columns: e.columns, body: b.toString('utf8') });
  }
  return out;
}

/** The batch cut in two after its first `count` events (0 < count < batch.count); each half a copy. */
export function splitPacked(batch: PackedEvents, count: number): [PackedEvents, PackedEvents] {
  if (!(count > 0 && count < batch.count)) throw new RangeError('a batch is cut between two of its events');
  const { bytes } = batch;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let i = 0; i < count; i++) at += 4 + view.getUint32(at, true);
  return [
    { count, bytes: bytes.slice(0, at) },
    { count: batch.count - count, bytes: bytes.slice(at) },
  ];
}
