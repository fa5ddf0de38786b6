/**
 * What `rampart restore` and `rampart migrate-store` check after they wrote a store: the row
 * count of every table, and the audit hash chains of every account (with the master key, the
 * seals of the checkpoints too).
 */
import type { Sealer } from '../crypto/seal.js';
import { readChainMaterial, verifyChains } from '../audit/verify.js';
import { storeTables, tableCounts } from '../store/copy.js';
import type { Store } from '../store/index.js';

export interface StoreCheck {
  readonly counts: Record<string, number>;
  readonly audit: {
    readonly ok: boolean;
    readonly events: number;
    readonly accounts: number;
    readonly checkpoints: number;
    /** The first problem of each account whose chain does not verify. */
    readonly problems: readonly string[];
  };
}

export async function checkStore(store: Store, sealer: Sealer | undefined): Promise<StoreCheck> {
  const counts = await tableCounts(store, await storeTables(store));
  const v = verifyChains(await readChainMaterial(store), sealer);
  return {
    counts,
    audit: {
      ok: v.ok,
      events: v.events,
      accounts: v.accounts,
      checkpoints: v.checkpoints,
      problems: v.findings.map((f) => `${f.accountId}: ${f.message}`),
    },
  };
}
