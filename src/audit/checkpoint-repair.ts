/**
 * Checkpoints a killed server left out. On SQLite the checkpoint an append makes due is sealed
 * and stored with the next batch; a server killed in between loses it, and the events after the
 * checkpoint before it are then protected by their hashes only (`rampart audit verify` says
 * unproven) until the chain passes the next multiple of CHECKPOINT_EVERY. A server starting on
 * the store seals one at each chain's head instead, once that part verifies: the checkpoint before
 * it (its seal), every link and hash from there to the head. It does so only where the missing
 * checkpoint could be a lost one (what one batch holds): more is a removal, which verify names.
 * PostgreSQL stores every checkpoint with its append, so nothing is pending there: a checkpoint
 * missing on PostgreSQL was removed, and is left for verify to report.
 */
import type { Sealer } from '../crypto/seal.js';
import { outsideUnitOfWork, type Store } from '../store/index.js';
import { insertCheckpoint, lockChainHead } from './chain.js';
import { missingCheckpoint, readChainSpan, verifyChainSpan } from './verify.js';

export interface CheckpointRepair {
  /** Accounts whose chain got a checkpoint at its head. */
  readonly sealed: readonly string[];
  /** Accounts left as they are because the part after their newest checkpoint does not verify. */
  readonly refused: readonly string[];
}

export async function sealLostCheckpoints(
  store: Store,
  sealer: Sealer,
  now: Date,
): Promise<CheckpointRepair> {
  const sealed: string[] = [];
  const refused: string[] = [];
  if (store.dialect !== 'sqlite') return { sealed, refused };
  const chains = await store.db.selectFrom('audit_chains').select(['account_id', 'seq', 'hash']).execute();
  for (const chain of chains) {
    const accountId = chain.account_id;
    const headSeq = Number(chain.seq);
    if (headSeq === 0) continue;
    // The newest checkpoint only (a chain may hold thousands).
    const row = await store.db
      .selectFrom('audit_checkpoints')
      .select(['seq', 'hash', 'created_at', 'seal'])
      .where('account_id', '=', accountId)
      .where('seq', '<=', headSeq)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const newest = row && {
      accountId,
      seq: Number(row.seq),
      hash: row.hash,
      createdAt: row.created_at,
      seal: row.seal,
    };
    const first = await store.db
      .selectFrom('audit_events')
      .select('seq')
      .where('account_id', '=', accountId)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!first) continue;
    const anchor = newest ? newest.seq : Number(first.seq) - 1;
    const gap = missingCheckpoint(anchor, headSeq, newest ? [newest.seq] : []);
    if (!gap?.pending) continue;
    const records = await readChainSpan(store.db, accountId, anchor, headSeq);
    const last = records[records.length - 1];
    const finding =
      last && last.seq === headSeq && last.hash === chain.hash
        ? verifyChainSpan(accountId, records, newest ? [newest] : [], sealer)
        : { message: 'the head is not the last event' };
    if (finding) {
      refused.push(accountId);
      continue;
    }
    await outsideUnitOfWork(() =>
      store.transaction(async (tx) => {
        const head = await lockChainHead(tx, store.dialect, accountId);
        // Sealed only over what was verified: an append since then leaves it to that append.
        if (head.seq !== headSeq || head.hash !== chain.hash) return;
        await insertCheckpoint(tx, sealer, {
          accountId,
          seq: headSeq,
          hash: chain.hash,
          createdAt: now.toISOString(),
        });
        sealed.push(accountId);
      }),
    );
  }
  return { sealed, refused };
}
