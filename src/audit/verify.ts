import { SealError, sealedKeyId, type Sealer } from '../crypto/seal.js';
import type { Store, StoreDialect, Tx } from '../store/index.js';
import {
  AUDIT_CHECKPOINT_CONTEXT,
  CHECKPOINT_EVERY,
  chainHash,
  checkpointSealValid,
  GENESIS_HASH,
  type SealedCheckpoint,
} from './chain.js';
import { columnText, indexOf, type AuditEvent } from './event.js';

/**
 * Verification of the hash chains, over a live store or an exported file. Walks each
 * account's events in chain order and names the first that was changed, removed, inserted or
 * reordered. With the master key, each checkpoint's seal is checked too, and the event at its
 * position must have the hash it records (a chain rewritten from an edit onwards fails there).
 * The checkpoints the appends made due must be there (`missingCheckpoint`), and a chain with
 * events must have its head.
 */

/** One event as stored: its chain position, the hashes, and its JSON text. */
export interface ChainRecord {
  readonly accountId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
  /** The LookupEvents columns as stored (store only): they must agree with the body. */
  readonly columns?: Record<string, unknown>;
}

export type CheckpointRecord = SealedCheckpoint;

export interface ChainHead {
  readonly accountId: string;
  readonly seq: number;
  readonly hash: string;
}

export type Problem =
  | 'changed'
  | 'removed'
  | 'inserted-or-reordered'
  | 'no-anchor'
  | 'checkpoint-mismatch'
  | 'checkpoint-seal'
  | 'truncated'
  | 'columns-changed'
  | 'missing-checkpoint'
  | 'missing-head';

export interface VerifyFinding {
  readonly accountId: string;
  readonly problem: Problem;
  /** The chain position concerned. */
  readonly seq: number;
  readonly eventId?: string;
  readonly message: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Events checked, over every account. */
  readonly events: number;
  readonly accounts: number;
  readonly checkpoints: number;
  /** Whether checkpoint seals were checked (a key was given). */
  readonly sealsChecked: boolean;
  /** The first problem per account (empty when ok). */
  readonly findings: readonly VerifyFinding[];
  /**
   * What verifies but is worth knowing, per account: the newest checkpoint due that is not
   * stored (it may still be waiting, or have been lost when the server was killed, or have
   * been removed; the events it would cover are protected by their hashes and the head only).
   */
  readonly notes: readonly VerifyFinding[];
}

function eventIdOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { eventId?: string }).eventId;
  } catch {
    return undefined;
  }
}

const COLUMN_OF: Readonly<Record<string, keyof ReturnType<typeof indexOf>>> = {
  event_time: 'eventTime',
  event_name: 'eventName',
  event_type: 'eventType',
  event_rw: 'eventRW',
  service_name: 'serviceName',
  user_name: 'userName',
  principal_id: 'principalId',
  role_name: 'roleName',
  access_key_id: 'accessKeyId',
  source_ip: 'sourceIp',
  resource_type: 'resourceType',
  resource_name: 'resourceName',
  error_code: 'errorCode',
};

function columnsAgree(body: string, columns: Record<string, unknown>): boolean {
  let ix;
  try {
    ix = indexOf(JSON.parse(body) as AuditEvent);
  } catch {
    return false;
  }
  for (const [column, field] of Object.entries(COLUMN_OF)) {
    if ((columns[column] ?? null) !== (ix[field] ?? null)) return false;
  }
  if (columns.event_id !== undefined && columns.event_id !== columnText(eventIdOf(body) ?? null))
    return false;
  return Number(columns.sensitive) === (ix.sensitive ? 1 : 0);
}

/**
 * The largest append whose checkpoint may be missing from a store that was not tampered with:
 * a batch of buffered events appended by SQLite's writer thread (src/audit/recorder.ts). Its
 * checkpoint is sealed after the append and stored with the next batch, or at once when no
 * event waits; until then it is not in the store, and a server killed in between loses it for
 * good (`rampart migrate-store` then carries the gap to PostgreSQL). Such a batch holds at
 * most the recorder's `maxBatch` events: 4000, the default, which the server keeps
 * (src/server.ts); the server's `recordNow` appends one event. Every other append
 * (appendEvents: in the caller's transaction, and every append on PostgreSQL) inserts its
 * checkpoint in its own transaction, and expiry writes its checkpoint before it deletes.
 */
export const PENDING_BATCH_MAX = 4000;

/**
 * The checkpoints an account's checked span must hold. An append that takes a chain from
 * `before` to `after` seals one checkpoint, at `after`, when it passes a multiple of
 * CHECKPOINT_EVERY (`checkpointDue` in src/audit/chain.ts): a batch that passes several
 * multiples seals one for them all, at its end. So for every multiple m with
 * anchor < m <= last (the anchor: 0, or the checkpoint expiry left before the first kept
 * event; last: the chain's last event, which is its head), a checkpoint is due at the end of
 * the append that passed m: at a seq in [m, end of that append], and that end is <= last.
 * The store does not record where appends ended, so what can be checked exactly is the
 * weaker, sound form: every such m has a checkpoint at a seq in [m, last]. (Checkpoints are
 * ordered, so this is: no multiple lies between the newest checkpoint, or the anchor, and
 * `last`.) A middle checkpoint removed is not seen, and need not be: the later checkpoint
 * still pins every hash before it. Removing the newest checkpoints is what an edit with
 * the later hashes recomputed needs, and this is what finds it.
 *
 * One checkpoint may legitimately be missing: the newest one due, of a writer-thread batch
 * (PENDING_BATCH_MAX). It covers every multiple that batch passed, so the multiples with no
 * checkpoint after them, firstDue..lastDue, are explained by it when one batch can hold
 * them: lastDue - firstDue + 1 <= PENDING_BATCH_MAX. That is a note (the events from the
 * newest checkpoint on are protected by their hashes and the head only); more than one
 * batch can hold is a failure, at the first multiple whose checkpoint is missing.
 */
function missingCheckpoint(
  anchor: number,
  last: number,
  checkpointSeqs: readonly number[],
): { firstDue: number; lastDue: number; covered: number; pending: boolean } | undefined {
  let covered = anchor;
  for (const seq of checkpointSeqs) if (seq > covered && seq <= last) covered = seq;
  const firstDue = (Math.floor(covered / CHECKPOINT_EVERY) + 1) * CHECKPOINT_EVERY;
  const lastDue = Math.floor(last / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
  if (firstDue > lastDue) return undefined;
  return { firstDue, lastDue, covered, pending: lastDue - firstDue + 1 <= PENDING_BATCH_MAX };
}

/** Which checks apply to a material (a store's, or an exported file's). */
interface Rules {
  /** Every account with events has a head (a store; an export file carrying heads). */
  readonly heads: boolean;
  /** The checkpoints due must be there (a store; an export file carrying heads or checkpoints). */
  readonly checkpoints: boolean;
}

/** Verifies one account's records (in the order given: chain order for a store, file order for a file). */
function verifyAccount(
  accountId: string,
  records: readonly ChainRecord[],
  checkpoints: readonly CheckpointRecord[],
  head: ChainHead | undefined,
  sealer: Sealer | undefined,
  rules: Rules,
  note: (n: VerifyFinding) => void,
): VerifyFinding | undefined {
  const at = (seq: number, problem: Problem, message: string, eventId?: string): VerifyFinding => ({
    accountId,
    problem,
    seq,
    ...(eventId ? { eventId } : {}),
    message,
  });
  if (sealer) {
    for (const c of checkpoints) {
      if (!checkpointSealValid(sealer, c, c.seal)) {
        return at(c.seq, 'checkpoint-seal', sealProblem(sealer, c.seq, c.seal));
      }
    }
  }
  const cps = new Map(checkpoints.map((c) => [c.seq, c]));
  const first = records[0];
  if (!first) {
    if (head && head.seq > 0 && !cps.has(head.seq))
      return at(head.seq, 'truncated', `the chain head is at seq ${head.seq} but no event is left`);
    return undefined;
  }
  let expectedSeq: number;
  let expectedPrev: string;
  if (first.seq === 1) {
    expectedSeq = 1;
    expectedPrev = GENESIS_HASH;
  } else {
    // Expiry cut the chain after a checkpoint: the first kept event follows it.
    const anchor = cps.get(first.seq - 1);
    if (!anchor) {
      return at(
        first.seq,
        'no-anchor',
        `the chain starts at seq ${first.seq} without a checkpoint at seq ${first.seq - 1}: earlier events were removed`,
        eventIdOf(first.body),
      );
    }
    expectedSeq = first.seq;
    expectedPrev = anchor.hash;
  }
  const present = new Set(records.map((r) => r.seq));
  for (const r of records) {
    const id = eventIdOf(r.body);
    if (r.seq > expectedSeq && present.has(expectedSeq)) {
      return at(
        r.seq,
        'inserted-or-reordered',
        `event ${id ?? '?'} at seq ${r.seq} comes before seq ${expectedSeq} (reordered)`,
        id,
      );
    }
    if (r.seq > expectedSeq) {
      return at(
        expectedSeq,
        'removed',
        `event${r.seq - expectedSeq > 1 ? 's' : ''} at seq ${expectedSeq}${r.seq - expectedSeq > 1 ? `..${r.seq - 1}` : ''} removed (the next event present is seq ${r.seq}, ${id ?? '?'})`,
        id,
      );
    }
    if (r.seq < expectedSeq || r.prevHash !== expectedPrev) {
      return at(
        r.seq,
        'inserted-or-reordered',
        `event ${id ?? '?'} at seq ${r.seq} does not follow the event before it (inserted or reordered)`,
        id,
      );
    }
    if (chainHash(r.prevHash, r.body) !== r.hash) {
      return at(
        r.seq,
        'changed',
        `event ${id ?? '?'} at seq ${r.seq} was changed (its content no longer has its hash)`,
        id,
      );
    }
    if (r.columns && !columnsAgree(r.body, r.columns)) {
      return at(
        r.seq,
        'columns-changed',
        `event ${id ?? '?'} at seq ${r.seq}: its lookup columns were changed`,
        id,
      );
    }
    const cp = cps.get(r.seq);
    if (cp && cp.hash !== r.hash) {
      return at(
        r.seq,
        'checkpoint-mismatch',
        `the chain up to seq ${r.seq} (${id ?? '?'}) differs from its sealed checkpoint: an event at or before it was changed and the chain rewritten`,
        id,
      );
    }
    expectedSeq = r.seq + 1;
    expectedPrev = r.hash;
  }
  const last = expectedSeq - 1;
  if (head && (head.seq !== last || head.hash !== expectedPrev)) {
    return at(
      expectedSeq,
      'truncated',
      `the chain head is at seq ${head.seq} but the events end at seq ${last}: the newest events were removed`,
    );
  }
  if (!head && rules.heads) {
    return at(
      last,
      'missing-head',
      `the events end at seq ${last} but the chain has no head: it was removed (with the newest events after it, perhaps)`,
    );
  }
  // A checkpoint is stored with or after the events it seals, and the head with them.
  const beyond = checkpoints.find((c) => c.seq > last);
  if (beyond) {
    return at(
      last + 1,
      'truncated',
      `a checkpoint seals the chain at seq ${beyond.seq} but the events end at seq ${last}: the newest events were removed`,
    );
  }
  if (rules.checkpoints) {
    const gap = missingCheckpoint(
      first.seq - 1,
      last,
      checkpoints.map((c) => c.seq),
    );
    if (gap) {
      const range = `seq ${gap.firstDue}..${last}`;
      if (!gap.pending) {
        return at(
          gap.firstDue,
          'missing-checkpoint',
          `no checkpoint from seq ${gap.firstDue} to the end of the chain (seq ${last}): the one sealed when the chain passed seq ${gap.firstDue} was removed (more events lack one than a single pending batch holds); the events after seq ${gap.covered} may have been changed and their hashes recomputed`,
        );
      }
      note(
        at(
          gap.firstDue,
          'missing-checkpoint',
          `no checkpoint yet for ${range}: the newest checkpoint due (when the chain passed seq ${gap.lastDue}) is not stored; it may wait for the next batch (SQLite), have been lost when the server was killed, or have been removed; the events after seq ${gap.covered} are protected by their hashes and the head only`,
        ),
      );
    }
  }
  return undefined;
}

export interface ChainMaterial {
  readonly records: readonly ChainRecord[];
  readonly checkpoints: readonly CheckpointRecord[];
  readonly heads: readonly ChainHead[];
  /** Read from a store (readChainMaterial) rather than from an export file. */
  readonly store?: StoreDialect;
}

/**
 * Why a checkpoint's seal was refused. A seal names its key: one under a key the command was not
 * given (a master key retired by a rotation since the file was exported, say) says which, since
 * that is not a forgery until the key that made it says so.
 */
function sealProblem(sealer: Sealer, seq: number, seal: string): string {
  const keyId = sealedKeyId(seal);
  let known = true;
  try {
    sealer.unseal(seal, AUDIT_CHECKPOINT_CONTEXT);
  } catch (err) {
    known = !(err instanceof SealError && /unknown key/.test(err.message));
  }
  if (!known && keyId) {
    return `the checkpoint at seq ${seq} is sealed under master key ${keyId}, which was not given (a key retired by a rotation? give it with --master-key-file); it is not checked`;
  }
  return `the checkpoint at seq ${seq} is not sealed under the master key (forged or altered)`;
}

export function verifyChains(m: ChainMaterial, sealer?: Sealer): VerifyResult {
  const accounts = new Set<string>([
    ...m.records.map((r) => r.accountId),
    ...m.heads.map((h) => h.accountId),
  ]);
  // An export file carries heads and checkpoints when `rampart audit export` wrote it; the
  // JSON Lines sink writes events, with a checkpoint at the start of each rotated file, and its
  // files are checked as a chain of events from there.
  const exported = m.heads.length > 0;
  const rules: Rules = {
    heads: m.store !== undefined || exported,
    checkpoints: m.store !== undefined || exported,
  };
  const findings: VerifyFinding[] = [];
  const notes: VerifyFinding[] = [];
  for (const accountId of [...accounts].sort()) {
    const f = verifyAccount(
      accountId,
      m.records.filter((r) => r.accountId === accountId),
      m.checkpoints.filter((c) => c.accountId === accountId),
      m.heads.find((h) => h.accountId === accountId),
      sealer,
      rules,
      (n) => notes.push(n),
    );
    if (f) findings.push(f);
  }
  return {
    ok: findings.length === 0,
    events: m.records.length,
    accounts: accounts.size,
    checkpoints: m.checkpoints.length,
    sealsChecked: sealer !== undefined,
    findings,
    notes,
  };
}

/**
 * Everything the chains of the store (or of one account) hold, in chain order. Read from one
 * snapshot: on a live store, events, checkpoints and heads appended between two of the reads
 * would otherwise look like a chain cut short.
 */
export function readChainMaterial(store: Store, accountId?: string): Promise<ChainMaterial> {
  return store.snapshot((tx) => readChainMaterialIn(tx, store.dialect, accountId));
}

async function readChainMaterialIn(
  db: Tx,
  dialect: StoreDialect,
  accountId?: string,
): Promise<ChainMaterial> {
  let events = db.selectFrom('audit_events').selectAll();
  let cps = db.selectFrom('audit_checkpoints').selectAll();
  let heads = db.selectFrom('audit_chains').selectAll();
  if (accountId !== undefined) {
    events = events.where('account_id', '=', accountId);
    cps = cps.where('account_id', '=', accountId);
    heads = heads.where('account_id', '=', accountId);
  }
  const rows = await events.orderBy('account_id').orderBy('seq').execute();
  return {
    records: rows.map((r) => {
      const { account_id, seq, prev_hash, hash, body, ...columns } = r;
      return { accountId: account_id, seq: Number(seq), prevHash: prev_hash, hash, body, columns };
    }),
    checkpoints: (await cps.orderBy('account_id').orderBy('seq').execute()).map((c) => ({
      accountId: c.account_id,
      seq: Number(c.seq),
      hash: c.hash,
      createdAt: c.created_at,
      seal: c.seal,
    })),
    heads: (await heads.execute()).map((h) => ({
      accountId: h.account_id,
      seq: Number(h.seq),
      hash: h.hash,
    })),
    store: dialect,
  };
}

// ---------------------------------------------------------------------------------------------
// The export file: JSON Lines, one object per line.
//   {"type":"event","accountId","seq","prevHash","hash","event":{...}}
//   {"type":"checkpoint","accountId","seq","hash","createdAt","seal"}
//   {"type":"head","accountId","seq","hash"}
// The event's JSON text is JSON.stringify of the "event" object, exactly as hashed.

export function exportLines(m: ChainMaterial): string[] {
  const out: string[] = [];
  for (const c of m.checkpoints) out.push(JSON.stringify({ type: 'checkpoint', ...c }));
  for (const r of m.records) {
    out.push(
      `{"type":"event","accountId":${JSON.stringify(r.accountId)},"seq":${r.seq},"prevHash":"${r.prevHash}","hash":"${r.hash}","event":${r.body}}`,
    );
  }
  for (const h of m.heads) out.push(JSON.stringify({ type: 'head', ...h }));
  return out;
}

export class ExportFormatError extends Error {
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExportFormatError';
  }
}

/** Reads an export file's lines back (in file order, which verification follows). */
export function parseExport(text: string): ChainMaterial {
  const records: ChainRecord[] = [];
  const checkpoints: CheckpointRecord[] = [];
  const heads: ChainHead[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new ExportFormatError(i + 1, 'not JSON');
    }
    const str = (k: string) => {
      if (typeof o[k] !== 'string') throw new ExportFormatError(i + 1, `${k} is missing`);
      return o[k];
    };
    const num = (k: string) => {
      if (typeof o[k] !== 'number') throw new ExportFormatError(i + 1, `${k} is missing`);
      return o[k];
    };
    if (o.type === 'event') {
      if (typeof o.event !== 'object' || o.event === null)
        throw new ExportFormatError(i + 1, 'event is missing');
      records.push({
        accountId: str('accountId'),
        seq: num('seq'),
        prevHash: str('prevHash'),
        hash: str('hash'),
        body: JSON.stringify(o.event),
      });
    } else if (o.type === 'checkpoint') {
      checkpoints.push({
        accountId: str('accountId'),
        seq: num('seq'),
        hash: str('hash'),
        createdAt: str('createdAt'),
        seal: str('seal'),
      });
    } else if (o.type === 'head') {
      heads.push({ accountId: str('accountId'), seq: num('seq'), hash: str('hash') });
    } else {
      throw new ExportFormatError(i + 1, 'unknown type');
    }
  });
  return { records, checkpoints, heads };
}
