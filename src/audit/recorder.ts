import type { Sealer } from '../crypto/seal.js';
import { outsideUnitOfWork, runInUnitOfWork, type Store, type Tx, type UnitOfWork } from '../store/index.js';
import { appendEvents, eventText, sealCheckpoint, type EventText, type SealedCheckpoint } from './chain.js';
import type { ApiEventFacts } from './api-event.js';
import type { PendingEvent } from './event.js';
import { EventPacker, readPacked, splitPacked, unpackEvents, type PackedEvents } from './packed.js';
import { isRefusedData } from '../store/errors.js';

/**
 * The recording API. Three ways in:
 * - `record(event)`: buffered and appended with others as one transaction (reads, refusals,
 *   anything that changed nothing): the request path never waits for it;
 * - `recordInTransaction(tx, events)`: appended inside the caller's transaction, so the event
 *   commits with the change or not at all (logons, STS issuance, automatic changes);
 * - `unitFor(make).run(fn)`: runs fn in a unit of work; the first store transaction fn commits
 *   carries the event (write requests: the handler's change and its event commit together).
 */
export interface AuditRecorder {
  /** False when recording is turned off (every method then does nothing). */
  readonly enabled: boolean;
  record(event: PendingEvent): void;
  /** `record` for the event of an API request, by its facts (rendered where it is appended). */
  recordApi(facts: ApiEventFacts): void;
  recordInTransaction(tx: Tx, events: readonly PendingEvent[]): Promise<void>;
  /** Appends now, in a transaction of its own, and resolves when committed. */
  recordNow(events: readonly PendingEvent[]): Promise<void>;
  /**
   * A unit of work for one event: `run(fn)` runs fn, and the first transaction fn commits also
   * appends the event `make` builds then. `carried` tells whether one did (when not, the
   * caller records the event itself), also after fn failed.
   */
  unitFor(make: () => PendingEvent): EventUnit;
  /** Appends everything buffered so far. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** Events waiting in the buffer. */
  pending(): number;
}

export interface EventUnit {
  readonly carried: boolean;
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface AuditRecorderOptions {
  readonly store: Store;
  readonly sealer: Sealer;
  readonly clock: () => Date;
  /** Recording on (default) or off. */
  readonly enabled?: boolean;
  /** Longest a buffered event waits before its batch is appended (default 250 ms). */
  readonly flushMs?: number;
  /** A batch is appended as soon as it holds this many events (default 4000). */
  readonly maxBatch?: number;
  /** Buffered events kept while the store refuses appends; beyond, the oldest go (default 100000). */
  readonly maxBuffered?: number;
  readonly log?: (line: string) => void;
}

export function createAuditRecorder(opts: AuditRecorderOptions): AuditRecorder {
  const { store, sealer, clock } = opts;
  const enabled = opts.enabled ?? true;
  // Fewer, larger commits: under load a commit's fixed cost (the pages it rewrites, and the
  // serving thread's row cache and read snapshot it makes stale) is shared by more events.
  const flushMs = opts.flushMs ?? 250;
  const maxBatch = opts.maxBatch ?? 4000;
  const maxBuffered = opts.maxBuffered ?? 100_000;
  const log = opts.log ?? ((line: string) => console.error(line));

  /**
   * Buffered events, packed as bytes when recorded (src/audit/packed.ts): `open` takes new
   * events; full batches wait in `batches`, oldest first.
   */
  const open = new EventPacker();
  const batches: PackedEvents[] = [];
  let batched = 0;
  /** The batch being appended (never dropped from under its append). */
  let appending: PackedEvents | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;
  let closed = false;

  /**
   * Batches whose last append failed other than by the store refusing their data: the commit
   * may have happened all the same (a writer thread that stopped, a connection lost, after the
   * commit and before the answer). Their next append first looks whether they are stored.
   */
  const unsure = new WeakSet<PackedEvents>();
  const appendTexts = (tx: Tx, events: readonly EventText[], retry = false) =>
    appendEvents(tx, store, sealer, events, clock(), { retry });
  const append = (tx: Tx, events: readonly PendingEvent[]) => appendTexts(tx, events.map(eventText));
  /**
   * A transaction of its own. On SQLite a writer task, run on the store's writer thread: the
   * batch is handed over as its bytes; the events' numbering, hashing and insertion happen
   * there. The checkpoints the append made due are sealed here, where the master key is, and
   * inserted with the next batch, in its transaction: under load one commit a batch, not two.
   * They are inserted at once when no event waits (`insertSealed`), so a quiet trail keeps none
   * in memory.
   */
  let sealed: SealedCheckpoint[] = [];
  /** The checkpoints of `carried` are stored (or let go): they wait no more. */
  const settle = (carried: readonly SealedCheckpoint[]) => {
    if (carried.length > 0) sealed = sealed.filter((c) => !carried.includes(c));
  };
  const appendAlone = (events: PackedEvents): Promise<void> =>
    outsideUnitOfWork(async () => {
      const retry = unsure.has(events);
      if (!store.runWriterTask)
        return store.transaction((tx) => appendTexts(tx, unpackEvents(events), retry));
      const carried = sealed;
      const due = await store
        .runWriterTask('appendAuditEvents', {
          events,
          now: clock().toISOString(),
          ...(carried.length > 0 ? { checkpoints: carried } : {}),
          ...(retry ? { retry } : {}),
        })
        .catch((err: unknown) => {
          // Checkpoints are signatures over the chain, not events: ones the store refuses go,
          // and the batch is tried again without them.
          if (carried.length > 0 && isRefusedData(err)) {
            settle(carried);
            log(`audit: ${carried.length} checkpoint(s) dropped: the store refuses them`);
          }
          throw err;
        });
      settle(carried);
      for (const c of due) sealed.push({ ...c, seal: sealCheckpoint(sealer, c) });
    });
  /** Inserts the sealed checkpoints no batch has carried yet. */
  const insertSealed = (): Promise<void> =>
    outsideUnitOfWork(async () => {
      const carried = sealed;
      if (carried.length === 0 || !store.runWriterTask) return;
      await store.runWriterTask('insertAuditCheckpoints', { checkpoints: carried });
      settle(carried);
    });

  function schedule(ms: number): void {
    if (timer || closed) return;
    timer = outsideUnitOfWork(() =>
      setTimeout(() => {
        timer = undefined;
        void flush();
      }, ms),
    );
    timer.unref();
  }

  /** Closes the open batch: it waits with the full ones. */
  function seal(): void {
    if (open.count === 0) return;
    const batch = open.take();
    batches.push(batch);
    batched += batch.count;
    let dropped = 0;
    while (batched + open.count > maxBuffered && batches.length > 1) {
      // The oldest batch not being appended goes.
      const i = batches[0] === appending ? 1 : 0;
      if (i >= batches.length - 1) break;
      const [old] = batches.splice(i, 1);
      batched -= old!.count;
      dropped += old!.count;
      open.release(old!);
    }
    if (dropped > 0)
      log(`audit: ${dropped} buffered event(s) dropped: the store has refused appends for too long`);
  }

  /** Everything buffered now, a batch (up to maxBatch events) per transaction. */
  async function flushOnce(): Promise<void> {
    seal();
    while (batches.length > 0) {
      const batch = batches[0]!;
      appending = batch;
      try {
        await appendAlone(batch);
        appending = undefined;
        batches.shift();
        batched -= batch.count;
        open.release(batch);
        failures = 0;
      } catch (err) {
        appending = undefined;
        const why = err instanceof Error ? err.message : String(err);
        // A row the store refuses for what it holds is refused every time: find it by halving
        // the batch, and let it go, so the events after it are not held behind it for good.
        // Any other failure (the store out of reach, a full disk) is retried as it is.
        if (isRefusedData(err)) {
          batches.shift();
          if (batch.count > 1) {
            batches.unshift(...splitPacked(batch, Math.floor(batch.count / 2)));
            open.release(batch);
          } else {
            batched -= 1;
            const [e] = [...readPacked(batch)];
            log(
              `audit: event ${JSON.stringify(e?.columns[0] ?? null)} (${JSON.stringify(e?.columns[2] ?? null)}) dropped: the store refuses it (${why})`,
            );
            open.release(batch);
          }
          continue;
        }
        unsure.add(batch);
        failures++;
        log(`audit: appending ${batch.count} event(s) failed (${why}); retrying`);
        schedule(Math.min(flushMs * 2 ** failures, 5000));
        return;
      }
    }
    // Nothing waits to carry the sealed checkpoints: they go in now (or with the next batch).
    if (open.count === 0) {
      await insertSealed().catch((err: unknown) =>
        log(
          `audit: inserting checkpoints failed (${err instanceof Error ? err.message : String(err)}); retrying`,
        ),
      );
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    running = running.then(flushOnce);
    return running;
  }

  /** An event was packed into the open batch: append it in time, or now when the batch is full. */
  function added(): void {
    if (open.count < maxBatch) return schedule(flushMs);
    seal();
    if (failures === 0) void flush();
    else schedule(flushMs);
  }

  if (!enabled) {
    return {
      enabled,
      record: () => undefined,
      recordApi: () => undefined,
      recordInTransaction: async () => undefined,
      recordNow: async () => undefined,
      unitFor: () => ({ carried: true, run: (fn) => fn() }),
      flush: async () => undefined,
      close: async () => undefined,
      pending: () => 0,
    };
  }

  return {
    enabled,
    record(event) {
      open.add(event);
      added();
    },
    recordApi(facts) {
      open.addFacts(facts);
      added();
    },
    recordInTransaction: (tx, events) => append(tx, events),
    recordNow(events) {
      const packer = new EventPacker(4096);
      for (const e of events) packer.add(e);
      return appendAlone(packer.take());
    },
    unitFor(make) {
      const unit: UnitOfWork = {
        carried: false,
        beforeCommit: (tx) => append(tx, [make()]),
      };
      return {
        get carried() {
          return unit.carried;
        },
        run: (fn) => runInUnitOfWork(unit, fn),
      };
    },
    flush,
    async close() {
      closed = true;
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    pending: () => batched + open.count,
  };
}
