import type { Sealer } from '../crypto/seal.js';
import { outsideUnitOfWork, type Store } from '../store/index.js';
import { chainHash, GENESIS_HASH, insertCheckpoint, lockChainHead } from './chain.js';
import { eventTimeOf } from './event.js';

/** ActionTrail's event history: 90 days. */
export const DEFAULT_RETENTION_DAYS = 90;

/** The most events one run removes per account (the next run goes on). */
const MAX_EXPIRED_PER_RUN = 10_000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExpiryResult {
  readonly removed: number;
  /** Accounts whose old events were kept because their chain did not verify (see the log). */
  readonly refused: readonly string[];
}

/**
 * Removes, per account, whole old events in chain order: every event from the start of the
 * chain up to the last one before the first event still within the account's retention
 * (audit_chains.retention_days, else `defaultDays`). The removed part is verified first (an
 * altered chain is kept for the operator to see), a sealed checkpoint is written at the last
 * removed event, and older checkpoints go: the chain stays verifiable from that checkpoint.
 */
export async function expireEvents(
  store: Store,
  sealer: Sealer,
  now: Date,
  defaultDays = DEFAULT_RETENTION_DAYS,
): Promise<ExpiryResult> {
  const chains = await store.db.selectFrom('audit_chains').select(['account_id', 'retention_days']).execute();
  let removed = 0;
  const refused: string[] = [];
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
    // The part to remove must verify from its anchor (the chain's start, or the checkpoint before it).
    const firstSeq = Number(rows[0]!.seq);
    let prev = GENESIS_HASH;
    if (firstSeq !== 1) {
      const anchor = await store.db
        .selectFrom('audit_checkpoints')
        .select('hash')
        .where('account_id', '=', accountId)
        .where('seq', '=', firstSeq - 1)
        .executeTakeFirst();
      prev = anchor?.hash ?? '';
    }
    let ok = true;
    let expected = firstSeq;
    for (const r of rows) {
      if (Number(r.seq) !== expected || r.prev_hash !== prev || chainHash(r.prev_hash, r.body) !== r.hash) {
        ok = false;
        break;
      }
      prev = r.hash;
      expected++;
    }
    if (!ok) {
      refused.push(accountId);
      continue;
    }
    const last = rows[rows.length - 1]!;
    const lastSeq = Number(last.seq);
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
  return { removed, refused };
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
