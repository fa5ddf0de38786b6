import { constantTimeEqual } from '../crypto/constant-time.js';
import { sha256Hex } from '../crypto/digest.js';
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
 * events must have its head. An export file ends with a sealed line over its chain heads, so
 * that a file cut short, or with a chain left out, does not verify.
 *
 * Three outcomes: verified; failed (a finding: something was changed, removed or forged); and
 * unproven, when nothing was found wrong but what must be there to prove the trail whole is not
 * (the newest checkpoint due, an export's sealed end). Only the first is OK.
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
  | 'missing-head'
  | 'export-end'
  | 'unsealed-end';

export interface VerifyFinding {
  readonly accountId: string;
  readonly problem: Problem;
  /** The chain position concerned. */
  readonly seq: number;
  readonly eventId?: string;
  readonly message: string;
}

export type VerifyStatus = 'verified' | 'failed' | 'unproven';

export interface VerifyResult {
  /**
   * Nothing found changed, removed or forged (no finding). The trail may still be unproven
   * (`status`): `rampart audit verify` says OK, and exits 0, only when it is verified.
   */
  readonly ok: boolean;
  readonly status: VerifyStatus;
  /** Events checked, over every account. */
  readonly events: number;
  readonly accounts: number;
  readonly checkpoints: number;
  /** Whether checkpoint seals were checked (a key was given). */
  readonly sealsChecked: boolean;
  /** The first problem per account (and of an export's end line, account ''). */
  readonly findings: readonly VerifyFinding[];
  /**
   * What cannot be proven, where nothing was found wrong: per account, the newest checkpoint
   * due that is not stored (it may still be waiting, have been lost when the server was killed,
   * or have been removed: the events it would cover are protected by their hashes and the head
   * only); of a file, a missing sealed end (it may have been cut short at a line boundary).
   */
  readonly unproven: readonly VerifyFinding[];
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
export function missingCheckpoint(
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
  /** Where the chains were read from, for what a missing checkpoint can mean. */
  readonly store: StoreDialect | undefined;
}

/** Verifies one account's records (in the order given: chain order for a store, file order for a file). */
function verifyAccount(
  accountId: string,
  records: readonly ChainRecord[],
  checkpoints: readonly CheckpointRecord[],
  head: ChainHead | undefined,
  sealer: Sealer | undefined,
  rules: Rules,
  unproven: (n: VerifyFinding) => void,
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
        return at(
          c.seq,
          'checkpoint-seal',
          sealProblem(sealer, `the checkpoint at seq ${c.seq}`, c.seal, AUDIT_CHECKPOINT_CONTEXT),
        );
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
      const why =
        rules.store === 'postgres'
          ? 'every append on PostgreSQL stores its checkpoint with it, so it was removed, unless this chain was copied from SQLite (rampart migrate-store) without it'
          : 'it may wait for the next batch (run verify again), have been lost when the server was killed (the next checkpoint due covers these events), or have been removed';
      unproven(
        at(
          gap.firstDue,
          'missing-checkpoint',
          `cannot prove seq ${gap.covered + 1}..${last} unchanged: no checkpoint for ${range}; the newest checkpoint due (when the chain passed seq ${gap.lastDue}) is not stored: ${why}; those events are protected by their hashes and the head only`,
        ),
      );
    }
  }
  return undefined;
}

/**
 * Verifies a span of one account's chain, from its anchor (the chain's start, or the checkpoint
 * before its first event) to its last record: seq, links and hashes, the seal of every
 * checkpoint given from the anchor on, and that the chain passes through each (one past the
 * last record is named as events removed). For retention, before it removes the span and seals
 * a checkpoint at its end.
 */
export function verifyChainSpan(
  accountId: string,
  records: readonly ChainRecord[],
  checkpoints: readonly CheckpointRecord[],
  sealer: Sealer,
): VerifyFinding | undefined {
  const first = records[0]?.seq ?? 1;
  return verifyAccount(
    accountId,
    records,
    checkpoints.filter((c) => c.seq >= first - 1),
    undefined,
    sealer,
    { heads: false, checkpoints: false, store: undefined },
    () => undefined,
  );
}

export interface ChainMaterial {
  readonly records: readonly ChainRecord[];
  readonly checkpoints: readonly CheckpointRecord[];
  readonly heads: readonly ChainHead[];
  /** Read from a store (readChainMaterial) rather than from an export file. */
  readonly store?: StoreDialect;
  /** An export file's sealed end line (`rampart audit export` writes one). */
  readonly end?: ExportEnd;
}

/**
 * The last line of an export: which store it was read from, when, how many chains it holds and
 * a digest of their heads (`headsDigest`), sealed under the master key. A file cut short at a
 * line boundary, or with a chain's lines left out, no longer matches it; without it, the heads
 * (unsealed) could be removed or moved back with the events after them.
 */
export interface ExportEnd {
  readonly store: StoreDialect;
  readonly createdAt: string;
  readonly chains: number;
  readonly digest: string;
  readonly seal: string;
}

/** The sealing context of an export's end line. */
export const AUDIT_EXPORT_CONTEXT = 'audit-export';

/** SHA-256 over every head, in account order: what an export's end line seals. */
export function headsDigest(heads: readonly ChainHead[]): string {
  const sorted = [...heads].sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0,
  );
  return sha256Hex(sorted.map((h) => `${h.accountId}\n${h.seq}\n${h.hash}\n`).join(''));
}

function exportEndText(e: Omit<ExportEnd, 'seal'>): string {
  return `rampart audit export\n${e.store}\n${e.createdAt}\n${e.chains}\n${e.digest}`;
}

export function sealExportEnd(sealer: Sealer, m: ChainMaterial, createdAt: string): ExportEnd {
  const e = { store: m.store ?? 'sqlite', createdAt, chains: m.heads.length, digest: headsDigest(m.heads) };
  return { ...e, seal: sealer.seal(exportEndText(e), AUDIT_EXPORT_CONTEXT) };
}

/** What is wrong with a file's end line, checked against its heads (and, with a key, its seal). */
function endProblem(m: ChainMaterial, end: ExportEnd, sealer: Sealer | undefined): string | undefined {
  if (end.chains !== m.heads.length || end.digest !== headsDigest(m.heads)) {
    return `the export's end line seals ${end.chains} chain head(s) and the file holds ${m.heads.length} that do not match it: a chain was cut short, left out or added`;
  }
  if (sealer) {
    let valid = false;
    try {
      valid = constantTimeEqual(sealer.unsealText(end.seal, AUDIT_EXPORT_CONTEXT), exportEndText(end));
    } catch {
      valid = false;
    }
    if (!valid) return sealProblem(sealer, "the export's end line", end.seal, AUDIT_EXPORT_CONTEXT);
  }
  return undefined;
}

/**
 * Why a checkpoint's seal was refused. A seal names its key: one under a key the command was not
 * given (a master key retired by a rotation since the file was exported, say) says which, since
 * that is not a forgery until the key that made it says so.
 */
function sealProblem(sealer: Sealer, what: string, seal: string, context: string): string {
  const keyId = sealedKeyId(seal);
  let known = true;
  try {
    sealer.unseal(seal, context);
  } catch (err) {
    known = !(err instanceof SealError && /unknown key/.test(err.message));
  }
  if (!known && keyId) {
    return `${what} is sealed under master key ${keyId}, which was not given (a key retired by a rotation? give it with --master-key-file); it is not checked`;
  }
  return `${what} is not sealed under the master key (forged or altered)`;
}

export interface VerifyOptions {
  /** Only this account's chain (a file's end line is still checked against every head). */
  readonly account?: string;
  /**
   * The file is the JSON Lines sink's (RAMPART_AUDIT_FILE): events, with a checkpoint at the
   * start of each rotated file, and no end, which is then not asked for.
   */
  readonly sink?: boolean;
}

export function verifyChains(m: ChainMaterial, sealer?: Sealer, opts: VerifyOptions = {}): VerifyResult {
  const findings: VerifyFinding[] = [];
  const unproven: VerifyFinding[] = [];
  // An export file carries heads and checkpoints, and ends with a sealed line over its heads,
  // when `rampart audit export` wrote it; the JSON Lines sink writes events, with a checkpoint
  // at the start of each rotated file, and its files are checked as a chain of events from
  // there. A file without an end line cannot show it was not cut short (or stripped of its
  // heads and end to pass as a sink's file): unproven, unless it is said to be a sink's file.
  const exported = m.end !== undefined || m.heads.length > 0;
  if (m.store === undefined) {
    if (m.end) {
      const problem = endProblem(m, m.end, sealer);
      if (problem) findings.push({ accountId: '', problem: 'export-end', seq: 0, message: problem });
    } else if (exported || !opts.sink) {
      unproven.push({
        accountId: '',
        problem: 'unsealed-end',
        seq: 0,
        message: exported
          ? 'cannot prove the file holds every chain to its end: it has head lines but no sealed end line (an export by an older Rampart, or its end line removed); export it again'
          : 'cannot prove the file holds every chain to its end: it has no sealed end line, which `rampart audit export` writes (it may have been cut short, or stripped of its heads and end); a file of the JSON Lines sink has none: verify it with --sink',
      });
    }
  }
  const rules: Rules = {
    heads: m.store !== undefined || exported,
    checkpoints: m.store !== undefined || exported,
    store: m.store ?? m.end?.store,
  };
  const wanted = (accountId: string) => opts.account === undefined || accountId === opts.account;
  const records = m.records.filter((r) => wanted(r.accountId));
  const checkpoints = m.checkpoints.filter((c) => wanted(c.accountId));
  const heads = m.heads.filter((h) => wanted(h.accountId));
  const accounts = new Set<string>([...records.map((r) => r.accountId), ...heads.map((h) => h.accountId)]);
  for (const accountId of [...accounts].sort()) {
    const f = verifyAccount(
      accountId,
      records.filter((r) => r.accountId === accountId),
      checkpoints.filter((c) => c.accountId === accountId),
      heads.find((h) => h.accountId === accountId),
      sealer,
      rules,
      (n) => unproven.push(n),
    );
    if (f) findings.push(f);
  }
  const status: VerifyStatus = findings.length > 0 ? 'failed' : unproven.length > 0 ? 'unproven' : 'verified';
  return {
    ok: findings.length === 0,
    status,
    events: records.length,
    accounts: accounts.size,
    checkpoints: checkpoints.length,
    sealsChecked: sealer !== undefined,
    findings,
    unproven,
  };
}

/** One account's events with seq in (after, upTo], in chain order. */
export async function readChainSpan(
  db: Tx,
  accountId: string,
  after: number,
  upTo: number,
): Promise<ChainRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['seq', 'prev_hash', 'hash', 'body'])
    .where('account_id', '=', accountId)
    .where('seq', '>', after)
    .where('seq', '<=', upTo)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    accountId,
    seq: Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    body: r.body,
  }));
}

/** One account's checkpoints, oldest first. */
export async function readCheckpoints(db: Tx, accountId: string): Promise<CheckpointRecord[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .select(['seq', 'hash', 'created_at', 'seal'])
    .where('account_id', '=', accountId)
    .orderBy('seq')
    .execute();
  return rows.map((c) => ({
    accountId,
    seq: Number(c.seq),
    hash: c.hash,
    createdAt: c.created_at,
    seal: c.seal,
  }));
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
//   {"type":"end","store","createdAt","chains","digest","seal"}   (the last line; ExportEnd)
// The event's JSON text is JSON.stringify of the "event" object, exactly as hashed.

/** The lines of an export; with a sealer, ending with the sealed end line. */
export function exportLines(m: ChainMaterial, sealer?: Sealer, now: Date = new Date()): string[] {
  const out: string[] = [];
  for (const c of m.checkpoints) out.push(JSON.stringify({ type: 'checkpoint', ...c }));
  for (const r of m.records) {
    out.push(
      `{"type":"event","accountId":${JSON.stringify(r.accountId)},"seq":${r.seq},"prevHash":"${r.prevHash}","hash":"${r.hash}","event":${r.body}}`,
    );
  }
  for (const h of m.heads) out.push(JSON.stringify({ type: 'head', ...h }));
  if (sealer) out.push(JSON.stringify({ type: 'end', ...sealExportEnd(sealer, m, now.toISOString()) }));
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
  let end: ExportEnd | undefined;
  // A byte order mark some editors put first is not part of the first line.
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      if (end) throw new ExportFormatError(i + 1, 'a line after the end line');
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new ExportFormatError(i + 1, 'not JSON');
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o))
        throw new ExportFormatError(i + 1, 'not a JSON object');
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
      } else if (o.type === 'end') {
        const store = str('store');
        if (store !== 'sqlite' && store !== 'postgres')
          throw new ExportFormatError(i + 1, 'store is not known');
        end = {
          store,
          createdAt: str('createdAt'),
          chains: num('chains'),
          digest: str('digest'),
          seal: str('seal'),
        };
      } else {
        throw new ExportFormatError(i + 1, 'unknown type');
      }
    });
  return { records, checkpoints, heads, ...(end ? { end } : {}) };
}
