import type { Sealer } from '../crypto/seal.js';
import { outsideUnitOfWork, type Store } from '../store/index.js';
import { insertCheckpoint, lockChainHead } from './chain.js';
import { eventTimeOf } from './event.js';
import { missingCheckpoint, readChainSpan, readCheckpoints, verifyChainSpan } from './verify.js';

/** ActionTrail's event history: 90 days. */
export const DEFAULT_RETENTION_DAYS = 90;

/** The most events one run removes per account (the next run goes on). */
const MAX_EXPIRED_PER_RUN = 10_000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExpiryResult {
  readonly removed: number;
  /** Accounts whose old events were kept because their chain did not verify (see the log). */
  readonly refused: readonly string[];
  /** Why each account in `refused` was kept: what `rampart audit verify` would name. */
  readonly reasons: Readonly<Record<string, string>>;
}

/**
 * Removes, per account, whole old events in chain order: every event from the start of the
 * chain up to the last one before the first event still within the account's retention
 * (audit_chains.retention_days, else `defaultDays`). The removed part is verified first, as
 * `rampart audit verify` would: from its anchor, through every checkpoint in it (their seals and
 * hashes) and on to the first checkpoint at or after its end, with no checkpoint due missing
 * (none may be pending for it either). A chain that does not verify, or that cannot be proven,
 * is kept for the operator to see: a checkpoint sealed over it would launder an edit. Then a
 * sealed checkpoint is written at the last removed event, and older checkpoints go: the chain
 * stays verifiable from that checkpoint.
 */
export async function expireEvents(
  store: Store,
  sealer: Sealer,
  now: Date,
  defaultDays = DEFAULT_RETENTION_DAYS,
): Promise<ExpiryResult> {
  const chains = await store.db
    .selectFrom('audit_chains')
    .select(['account_id', 'seq', 'retention_days'])
    .execute();
  let removed = 0;
  const refused: string[] = [];
  const reasons: Record<string, string> = {};
  for (const chain of chains) {
    const accountId = chain.account_id;
    const days = chain.retention_days ?? defaultDays;
    const cutoff = eventTimeOf(new Date(now.getTime() - days * DAY_MS));
    const firstKept = await store.db
      .selectFrom('audit_events')
      .select('seq')
      .where('account_id', '=', accountId)
      .where('event_time', '>=', cutoff)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    const rows = await store.db
      .selectFrom('audit_events')
      .select(['seq', 'prev_hash', 'hash', 'body'])
      .where('account_id', '=', accountId)
      .$if(firstKept !== undefined, (q) => q.where('seq', '<', Number(firstKept!.seq)))
      .orderBy('seq')
      .limit(MAX_EXPIRED_PER_RUN)
      .execute();
    if (rows.length === 0) continue;
    const firstSeq = Number(rows[0]!.seq);
    const last = rows[rows.length - 1]!;
    const lastSeq = Number(last.seq);
    const refuse = (why: string) => {
      refused.push(accountId);
      reasons[accountId] = why;
    };
    // The checkpoints, read after the head (chain.seq): each append's is stored with it, or after.
    const checkpoints = await readCheckpoints(store.db, accountId);
    // A checkpoint due and missing for the part to remove: its events cannot be proven unchanged
    // (on SQLite it may still be pending: the next run tries again).
    const gap = missingCheckpoint(
      firstSeq - 1,
      Number(chain.seq),
      checkpoints.map((c) => c.seq),
    );
    if (gap && (store.dialect === 'postgres' || !gap.pending || gap.firstDue <= lastSeq)) {
      refuse(
        `no checkpoint from seq ${gap.firstDue} (the chain passed it): seq ${gap.covered + 1}.. cannot be proven unchanged`,
      );
      continue;
    }
    // The first checkpoint at or after the last removed event pins the hashes up to it.
    const pin = checkpoints.find((c) => c.seq >= lastSeq && c.seq <= Number(chain.seq));
    const beyond = pin && pin.seq > lastSeq ? await readChainSpan(store.db, accountId, lastSeq, pin.seq) : [];
    const finding = verifyChainSpan(
      accountId,
      [
        ...rows.map((r) => ({
          accountId,
          seq: Number(r.seq),
          prevHash: r.prev_hash,
          hash: r.hash,
          body: r.body,
        })),
        ...beyond,
      ],
      checkpoints.filter((c) => c.seq <= (pin?.seq ?? lastSeq)),
      sealer,
    );
    if (finding) {
      refuse(finding.message);
      continue;
    }
    await outsideUnitOfWork(() =>
      store.transaction(async (tx) => {
        await lockChainHead(tx, store.dialect, accountId);
        await insertCheckpoint(tx, sealer, {
          accountId,
          seq: lastSeq,
          hash: last.hash,
          createdAt: now.toISOString(),
        });
        await tx
          .deleteFrom('audit_events')
          .where('account_id', '=', accountId)
          .where('seq', '<=', lastSeq)
          .execute();
        await tx
          .deleteFrom('audit_checkpoints')
          .where('account_id', '=', accountId)
          .where('seq', '<', lastSeq)
          .execute();
      }),
    );
    removed += rows.length;
  }
  return { removed, refused, reasons };
}

/** Sets an account's retention in days (null: back to the default). */
export async function setRetention(store: Store, accountId: string, days: number | null): Promise<void> {
  await outsideUnitOfWork(() =>
    store.transaction(async (tx) => {
      await lockChainHead(tx, store.dialect, accountId);
      await tx
        .updateTable('audit_chains')
        .set({ retention_days: days })
        .where('account_id', '=', accountId)
        .execute();
    }),
  );
}
