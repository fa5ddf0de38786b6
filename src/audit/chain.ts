import { constantTimeEqual } from '../crypto/constant-time.js';
import { sha256Hex } from '../crypto/digest.js';
import type { Sealer } from '../crypto/seal.js';
import type { HotParam, Store, StoreDialect, SyncDb, Tx } from '../store/index.js';
import { eventIndexColumns, type PendingEvent } from './event.js';
import { readPacked, type PackedEvents, type PackedEventView } from './packed.js';

/**
 * The hash chain. The events of an account are numbered from 1 (`seq`); each one's hash is
 * SHA-256 over the previous hash and the event's JSON text exactly as stored, so changing,
 * removing, inserting or reordering an event breaks the chain at that event. Every
 * CHECKPOINT_EVERY events a checkpoint records the hash reached, sealed (AES-256-GCM) under
 * the deployment's master key: the seal is the checkpoint's signature, which only a holder of
 * the master key can make, and which survives key rotation like every sealed value.
 */
export const GENESIS_HASH = '0'.repeat(64);

export const CHECKPOINT_EVERY = 100;

/** The sealing context of checkpoint seals (src/master-keys.ts re-seals them at rotation). */
export const AUDIT_CHECKPOINT_CONTEXT = 'audit-checkpoint';

export function chainHash(prevHash: string, body: string): string {
  return sha256Hex(`${prevHash}\n${body}`);
}

export interface Checkpoint {
  readonly accountId: string;
  readonly seq: number;
  readonly hash: string;
  readonly createdAt: string;
}

function checkpointText(c: Checkpoint): string {
  return `rampart audit checkpoint\n${c.accountId}\n${c.seq}\n${c.hash}\n${c.createdAt}`;
}

export function sealCheckpoint(sealer: Sealer, c: Checkpoint): string {
  return sealer.seal(checkpointText(c), AUDIT_CHECKPOINT_CONTEXT);
}

/** Whether a checkpoint's seal was made under one of the sealer's keys for exactly this checkpoint. */
export function checkpointSealValid(sealer: Sealer, c: Checkpoint, seal: string): boolean {
  try {
    return constantTimeEqual(sealer.unsealText(seal, AUDIT_CHECKPOINT_CONTEXT), checkpointText(c));
  } catch {
    return false;
  }
}

/** The head of an account's chain, locked until the transaction ends (PostgreSQL: the row; SQLite: the write lock). */
export async function lockChainHead(
  tx: Tx,
  dialect: StoreDialect,
  accountId: string,
): Promise<{ seq: number; hash: string }> {
  await tx
    .insertInto('audit_chains')
    .values({ account_id: accountId, seq: 0, hash: GENESIS_HASH, retention_days: null })
    .onConflict((oc) => oc.column('account_id').doNothing())
    .execute();
  const q = tx.selectFrom('audit_chains').select(['seq', 'hash']).where('account_id', '=', accountId);
  const row =
    dialect === 'postgres'
      ? await q.forUpdate().executeTakeFirstOrThrow()
      : await q.executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash };
}

const EVENT_COLUMNS = [
  'account_id',
  'seq',
  'event_id',
  'event_time',
  'event_name',
  'event_type',
  'event_rw',
  'service_name',
  'user_name',
  'principal_id',
  'role_name',
  'access_key_id',
  'source_ip',
  'resource_type',
  'resource_name',
  'sensitive',
  'error_code',
  'body',
  'prev_hash',
  'hash',
] as const;

/**
 * An event as it is appended in a transaction on the serving thread (appendEvents): its JSON
 * text (exactly what is stored and hashed) and its index columns, `event_id` through
 * `error_code` in EVENT_COLUMNS order. Batches for the writer thread carry the same text and
 * columns packed as bytes (src/audit/packed.ts).
 */
export interface EventText {
  readonly accountId: string;
  readonly columns: readonly HotParam[];
  readonly body: string;
}

export function eventText({ accountId, event }: PendingEvent): EventText {
  return { accountId, columns: eventIndexColumns(event), body: JSON.stringify(event) };
}

/** The events of each account, accounts in a fixed order (two appenders never wait on each other's heads). */
function byAccount(events: readonly EventText[]): [string, EventText[]][] {
  const groups = new Map<string, EventText[]>();
  for (const e of events) {
    let list = groups.get(e.accountId);
    if (!list) groups.set(e.accountId, (list = []));
    list.push(e);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The rows of an account's events after `head`: numbered, hashed, and the new head. */
function chainRows(
  accountId: string,
  head: { seq: number; hash: string },
  list: readonly EventText[],
): { rows: HotParam[][]; seq: number; hash: string } {
  let { seq, hash } = head;
  const rows = list.map(({ columns, body }): HotParam[] => {
    const prev = hash;
    seq += 1;
    hash = chainHash(prev, body);
    return [accountId, seq, ...columns, body, prev, hash];
  });
  return { rows, seq, hash };
}

const checkpointDue = (before: number, after: number): boolean =>
  Math.floor(after / CHECKPOINT_EVERY) > Math.floor(before / CHECKPOINT_EVERY);

/**
 * Appends events to their accounts' chains inside tx: for each account, lock the head, number
 * and hash the events, insert them, move the head, and seal a checkpoint when the chain passed
 * a multiple of CHECKPOINT_EVERY. With `retry`, events appended before (see FIND_EVENT) are not
 * appended again.
 */
export async function appendEvents(
  tx: Tx,
  store: Pick<Store, 'dialect' | 'insertRows'>,
  sealer: Sealer,
  events: readonly EventText[],
  now: Date,
  opts: { readonly retry?: boolean } = {},
): Promise<void> {
  if (opts.retry) {
    const find = (e: EventText) =>
      tx
        .selectFrom('audit_events')
        .select(['seq', 'hash'])
        .where('account_id', '=', e.accountId)
        .where('event_id', '=', e.columns[0] as string)
        .where('body', '=', e.body)
        .executeTakeFirst();
    const ends = accountEnds(events);
    const first = ends.values().next().value;
    if (first && (await find(first[0]))) {
      // Appended before; only the checkpoint that append made due may be missing.
      for (const [accountId, [a, b]] of ends) {
        const c = checkpointOfAppended(accountId, await find(a), await find(b), now.toISOString());
        if (c) await insertCheckpoint(tx, sealer, c);
      }
      return;
    }
  }
  for (const [accountId, list] of byAccount(events)) {
    const head = await lockChainHead(tx, store.dialect, accountId);
    const { rows, seq, hash } = chainRows(accountId, head, list);
    await store.insertRows(tx, 'audit_events', EVENT_COLUMNS, rows);
    await tx.updateTable('audit_chains').set({ seq, hash }).where('account_id', '=', accountId).execute();
    if (checkpointDue(head.seq, seq)) {
      await insertCheckpoint(tx, sealer, { accountId, seq, hash, createdAt: now.toISOString() });
    }
  }
}

/** The first and the last event of each account, accounts in the order they first appear. */
function accountEnds<E extends { readonly accountId: string }>(events: Iterable<E>): Map<string, [E, E]> {
  const ends = new Map<string, [E, E]>();
  for (const e of events) ends.set(e.accountId, [ends.get(e.accountId)?.[0] ?? e, e]);
  return ends;
}

/**
 * The checkpoint an account's part of a batch made due, from the stored rows of its first and
 * last events (a batch appended before whose answer was lost, with the checkpoint it carried).
 */
function checkpointOfAppended(
  accountId: string,
  first: { seq: number | bigint | string } | undefined,
  last: { seq: number | bigint | string; hash: string } | undefined,
  createdAt: string,
): Checkpoint | undefined {
  if (!first || !last || !checkpointDue(Number(first.seq) - 1, Number(last.seq))) return undefined;
  return { accountId, seq: Number(last.seq), hash: last.hash, createdAt };
}

/**
 * Whether a batch was appended already. A batch commits whole or not at all, so its first
 * event tells: the same account, eventId and JSON text. Asked only when a batch is tried again
 * after an append whose outcome is unknown (a writer thread that stopped, or a connection lost,
 * after its commit and before its answer), so that the retry does not append it twice.
 */
const FIND_EVENT =
  'select seq, hash from audit_events where account_id = ? and event_id = ? and body = cast(? as text)';

/** `chainHash` over an event's JSON text given as its UTF-8 bytes. */
function chainHashOfBytes(prevHash: string, body: Uint8Array, scratch: { buf: Buffer }): string {
  const need = prevHash.length + 1 + body.byteLength;
  if (scratch.buf.length < need) scratch.buf = Buffer.allocUnsafeSlow(Math.max(need, 2 * scratch.buf.length));
  const n = scratch.buf.write(`${prevHash}\n`, 0, 'latin1');
  scratch.buf.set(body, n);
  return sha256Hex(scratch.buf.subarray(0, n + body.byteLength));
}

/** An event's row, with its JSON text bound as UTF-8 bytes and stored as text. */
const INSERT_PACKED_EVENT = `insert into audit_events (${EVENT_COLUMNS.join(', ')}) values (${EVENT_COLUMNS.map(
  (c) => (c === 'body' ? 'cast(? as text)' : '?'),
).join(', ')})`;

/**
 * appendEvents with synchronous statements inside a write transaction that holds SQLite's
 * write lock from its start (a writer task: see src/store/sqlite/writer-tasks.ts), for a
 * packed batch (src/audit/packed.ts). The JSON text is hashed and bound as the bytes it
 * arrived in, never made into a string on the writer thread; what is stored and hashed is the
 * same text appendEvents stores and hashes. The checkpoints due are returned, to be sealed by
 * the holder of the master key and inserted with a later batch (`checkpoints`, inserted first
 * in the same transaction) or with `insertCheckpointsNow`.
 */
export function appendEventsNow(
  db: SyncDb,
  input: {
    readonly events: PackedEvents;
    readonly now: string;
    readonly checkpoints?: readonly SealedCheckpoint[];
    /** The batch was tried before and may have been appended (see FIND_EVENT). */
    readonly retry?: boolean;
  },
): Checkpoint[] {
  if (input.retry) {
    const find = (e: PackedEventView) =>
      db.get<{ seq: number | bigint; hash: string }>(FIND_EVENT, [e.accountId, e.columns[0]!, e.body]);
    const ends = accountEnds(readPacked(input.events));
    const first = ends.values().next().value;
    // Appended before, with the checkpoints that batch carried: only the checkpoints that append
    // made due are left, to be sealed and inserted again (an existing one is kept).
    if (first && find(first[0])) {
      const due: Checkpoint[] = [];
      for (const [accountId, [a, b]] of ends) {
        const c = checkpointOfAppended(accountId, find(a), find(b), input.now);
        if (c) due.push(c);
      }
      return due;
    }
  }
  if (input.checkpoints) insertCheckpointsNow(db, { checkpoints: input.checkpoints });
  const due: Checkpoint[] = [];
  const heads = new Map<string, { before: number; seq: number; hash: string }>();
  const scratch = { buf: Buffer.allocUnsafeSlow(4096) };
  // Events keep their order within an account; accounts are independent chains.
  for (const e of readPacked(input.events)) {
    let head = heads.get(e.accountId);
    if (!head) {
      db.run(
        'insert into audit_chains (account_id, seq, hash) values (?, 0, ?) on conflict (account_id) do nothing',
        [e.accountId, GENESIS_HASH],
      );
      const row = db.get<{ seq: number | bigint; hash: string }>(
        'select seq, hash from audit_chains where account_id = ?',
        [e.accountId],
      )!;
      head = { before: Number(row.seq), seq: Number(row.seq), hash: row.hash };
      heads.set(e.accountId, head);
    }
    const prev = head.hash;
    head.seq += 1;
    head.hash = chainHashOfBytes(prev, e.body, scratch);
    db.run(INSERT_PACKED_EVENT, [e.accountId, head.seq, ...e.columns, e.body, prev, head.hash]);
  }
  for (const [accountId, head] of heads) {
    db.run('update audit_chains set seq = ?, hash = ? where account_id = ?', [
      head.seq,
      head.hash,
      accountId,
    ]);
    if (checkpointDue(head.before, head.seq))
      due.push({ accountId, seq: head.seq, hash: head.hash, createdAt: input.now });
  }
  return due;
}

/** A checkpoint with its seal (`sealCheckpoint`). */
export interface SealedCheckpoint extends Checkpoint {
  readonly seal: string;
}

/** Inserts sealed checkpoints (a writer task, like appendEventsNow). */
export function insertCheckpointsNow(
  db: SyncDb,
  input: { readonly checkpoints: readonly SealedCheckpoint[] },
): void {
  for (const c of input.checkpoints) {
    db.run(
      'insert into audit_checkpoints (account_id, seq, hash, created_at, seal) values (?, ?, ?, ?, ?) on conflict (account_id, seq) do nothing',
      [c.accountId, c.seq, c.hash, c.createdAt, c.seal],
    );
  }
}

export async function insertCheckpoint(tx: Tx, sealer: Sealer, c: Checkpoint): Promise<void> {
  await tx
    .insertInto('audit_checkpoints')
    .values({
      account_id: c.accountId,
      seq: c.seq,
      hash: c.hash,
      created_at: c.createdAt,
      seal: sealCheckpoint(sealer, c),
    })
    .onConflict((oc) => oc.columns(['account_id', 'seq']).doNothing())
    .execute();
}
