/**
 * The master keys as the store knows them: which key (by id, never the key itself) the
 * store's sealed values are sealed under, the check that a node's keys can open the store,
 * and the online rotation that re-seals every sealed value under a new key.
 *
 * A node holds one or more keys (its keyring, src/config.ts): the first seals, all unseal.
 * The table `deployment_keys` records one `current` key, during a rotation the `previous`
 * one, and the `retired` ones. A node starts only when it holds every key that may still
 * seal a value (current and previous) and does not seal with a retired one.
 */
import { AUDIT_CHECKPOINT_CONTEXT } from './audit/chain.js';
import { sql, type Kysely } from 'kysely';
import { ConfigError, type MasterKeyring } from './config.js';
import { sealedKeyId } from './crypto/seal.js';
import { accessKeySealContext } from './domain/access-keys.js';
import { isoSeconds } from './domain/common.js';
import { mfaSeedSealContext } from './domain/mfa.js';
import { isUniqueViolation, type Store } from './store/index.js';

export class MasterKeyError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** A column of sealed values, with the context its values are sealed with (docs/storage.md). */
export interface SealedColumn {
  /** `table.column` */
  readonly name: string;
  readonly table: string;
  readonly column: string;
  /** The primary key: pages are read in its order, and re-sealed rows found by it. */
  readonly key: readonly string[];
  readonly context: (row: Readonly<Record<string, string>>) => string;
}

/** Every sealed column of the store. A new sealed column is added here, or rotation misses it. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    name: 'access_keys.secret_sealed',
    table: 'access_keys',
    column: 'secret_sealed',
    key: ['access_key_id'],
    context: (r) => accessKeySealContext(r.access_key_id!),
  },
  {
    name: 'mfa_devices.seed_sealed',
    table: 'mfa_devices',
    column: 'seed_sealed',
    key: ['account_id', 'name_key'],
    context: (r) => mfaSeedSealContext(r.account_id!, r.name_key!),
  },
  {
    // The audit trail's checkpoint signatures (src/audit/chain.ts): re-sealed like the rest, so
    // a chain stays verifiable after a rotation retires the key it was sealed under.
    name: 'audit_checkpoints.seal',
    table: 'audit_checkpoints',
    column: 'seal',
    key: ['account_id', 'seq'],
    context: () => AUDIT_CHECKPOINT_CONTEXT,
  },
];

export type KeyState = 'current' | 'previous' | 'retired';

export interface KeyRecord {
  readonly keyId: string;
  readonly state: KeyState;
  readonly createDate: string;
  readonly retireDate: string | null;
}

const nowIso = (): string => isoSeconds(new Date());

export async function keyRecords(db: Store['db']): Promise<KeyRecord[]> {
  const rows = await db
    .selectFrom('deployment_keys')
    .select(['key_id', 'state', 'create_date', 'retire_date'])
    .orderBy('create_date')
    .orderBy('key_id')
    .execute();
  return rows.map((r) => ({
    keyId: r.key_id,
    state: r.state as KeyState,
    createDate: r.create_date,
    retireDate: r.retire_date,
  }));
}

/** Whether the store holds a deployment: an account, or a recorded master key. */
export async function storeHasData(store: Store): Promise<boolean> {
  const account = await store.db.selectFrom('accounts').select('account_id').limit(1).executeTakeFirst();
  if (account) return true;
  const key = await store.db.selectFrom('deployment_keys').select('key_id').limit(1).executeTakeFirst();
  return key !== undefined;
}

type Row = Record<string, string>;

/** Pages of one sealed column, in primary-key order (keyset paging: stable under writes). */
async function* sealedPages(db: Store['db'], col: SealedColumn, size = 500): AsyncGenerator<Row[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the column is chosen at run time
  const any = db as unknown as Kysely<any>;
  let after: readonly string[] | undefined;
  for (;;) {
    let q = any.selectFrom(col.table).select([...col.key, col.column]);
    if (after) {
      const keys = sql.join(col.key.map((k) => sql.ref(k)));
      const values = sql.join(after.map((v) => sql`${v}`));
      q = q.where(sql<boolean>`(${keys}) > (${values})`);
    }
    for (const k of col.key) q = q.orderBy(k);
    const rows = (await q.limit(size).execute()) as Row[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1]!;
    after = col.key.map((k) => last[k]!);
  }
}

/** How many values of each sealed column are sealed under each key id. */
export async function sealedValueCounts(store: Store): Promise<Map<string, Record<string, number>>> {
  const counts = new Map<string, Record<string, number>>();
  for (const col of SEALED_COLUMNS) {
    for await (const rows of sealedPages(store.db, col)) {
      for (const r of rows) {
        const id = sealedKeyId(r[col.column]!) ?? '(not sealed)';
        const byColumn = counts.get(id) ?? {};
        byColumn[col.name] = (byColumn[col.name] ?? 0) + 1;
        counts.set(id, byColumn);
      }
    }
  }
  return counts;
}

function describe(ring: MasterKeyring): string {
  return `${ring.ids()[0]!} (from ${ring.source.label})`;
}

/** Refuses a keyring that cannot open a store with these records. */
function checkAgainstRecords(records: readonly KeyRecord[], ring: MasterKeyring): void {
  const ids = ring.ids();
  const current = records.find((r) => r.state === 'current');
  if (!current) {
    throw new MasterKeyError(
      'the store records no current master key; finish the rotation with rampart keys rotate',
    );
  }
  if (!ids.includes(current.keyId)) {
    throw new MasterKeyError(
      `the master key ${describe(ring)} cannot open this store: its values are sealed under master key ${current.keyId}`,
    );
  }
  for (const p of records.filter((r) => r.state === 'previous')) {
    if (!ids.includes(p.keyId)) {
      throw new MasterKeyError(
        `a rotation of the master key from ${p.keyId} to ${current.keyId} is unfinished and ${ring.source.label} lacks ${p.keyId}: give both keys, ${current.keyId} first, and finish it with rampart keys rotate`,
      );
    }
  }
  const retired = records.find((r) => r.state === 'retired' && r.keyId === ids[0]);
  if (retired) {
    throw new MasterKeyError(
      `the master key ${describe(ring)} was retired by a rotation on ${retired.retireDate ?? '?'}; put the current key ${current.keyId} first`,
    );
  }
}

/**
 * The start check: the keyring must open the store. A store that records its keys is
 * checked against the record. A store that records none (new, or from before the record
 * existed) is checked against the key ids of its sealed values, then records the keyring's
 * first key as current. Throws MasterKeyError with a one-line reason.
 */
export async function admitKeyring(store: Store, ring: MasterKeyring): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const records = await keyRecords(store.db);
    if (records.length > 0) {
      checkAgainstRecords(records, ring);
      return;
    }
    const ids = ring.ids();
    const found = [...(await sealedValueCounts(store)).keys()];
    const missing = found.find((id) => !ids.includes(id));
    if (missing) {
      throw new MasterKeyError(
        `the master key ${describe(ring)} cannot open this store: it holds values sealed under master key ${missing}`,
      );
    }
    try {
      await store.transaction(async (tx) => {
        const recorded = await tx.selectFrom('deployment_keys').select('key_id').limit(1).executeTakeFirst();
        if (recorded) return; // another node recorded first: checked on the next turn
        const now = nowIso();
        await tx
          .insertInto('deployment_keys')
          .values({ key_id: ids[0]!, state: 'current', create_date: now, retire_date: null })
          .execute();
        for (const id of found) {
          if (id === ids[0]) continue;
          await tx
            .insertInto('deployment_keys')
            .values({ key_id: id, state: 'previous', create_date: now, retire_date: null })
            .execute();
        }
      });
    } catch (err) {
      // Two nodes starting together on an empty PostgreSQL database: one record wins.
      if (!isUniqueViolation(err) || attempt >= 2) throw err;
    }
  }
}

export interface ResealResult {
  /** Values re-sealed, per sealed column. */
  readonly resealed: Record<string, number>;
}

/**
 * One pass over every sealed column: each value not sealed under `target` is unsealed and
 * sealed again under it (the keyring's first key), a page per transaction. The update
 * names the old sealed text, so a row changed or deleted meanwhile is left alone.
 */
async function resealPass(
  store: Store,
  ring: MasterKeyring,
  target: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const unknown = new Set<string>();
  for (const col of SEALED_COLUMNS) {
    counts[col.name] = 0;
    for await (const rows of sealedPages(store.db, col, 200)) {
      const stale = rows.filter((r) => sealedKeyId(r[col.column]!) !== target);
      if (stale.length === 0) continue;
      await store.transaction(async (tx) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the column is chosen at run time
        const any = tx as unknown as Kysely<any>;
        for (const r of stale) {
          const old = r[col.column]!;
          const oldId = sealedKeyId(old);
          if (oldId === undefined || !ring.ids().includes(oldId)) {
            unknown.add(oldId ?? '(not sealed)');
            continue;
          }
          const context = col.context(r);
          const fresh = ring.sealer.seal(ring.sealer.unseal(old, context), context);
          if (sealedKeyId(fresh) !== target) {
            throw new MasterKeyError(`the keyring sealed under ${sealedKeyId(fresh)!}, not ${target}`);
          }
          let q = any
            .updateTable(col.table)
            .set({ [col.column]: fresh })
            .where(col.column, '=', old);
          for (const k of col.key) q = q.where(k, '=', r[k]!);
          const result = await q.executeTakeFirst();
          if (Number(result.numUpdatedRows) > 0) counts[col.name]!++;
        }
      });
    }
  }
  if (unknown.size > 0) {
    throw new MasterKeyError(
      `values sealed under ${[...unknown].join(', ')} cannot be re-sealed: ${ring.source.label} does not hold that key`,
    );
  }
  return counts;
}

export interface RotationResult {
  readonly currentKeyId: string;
  readonly retiredKeyIds: readonly string[];
  readonly resealed: Record<string, number>;
}

/**
 * Rotates the store to the keyring's first key, online: records it as current (the old
 * current becomes previous, so nodes still start while values remain under it), re-seals
 * every value under it, checks that no value is left under another key, then retires the
 * previous keys. Nodes keep serving throughout: they hold both keys (see docs/operations.md).
 * Interrupted, it is resumed by running it again.
 */
export async function rotateStore(store: Store, ring: MasterKeyring): Promise<RotationResult> {
  const target = ring.ids()[0]!;
  const records = await keyRecords(store.db);
  const retired = records.find((r) => r.keyId === target && r.state === 'retired');
  if (retired) {
    throw new MasterKeyError(
      `the master key ${target} was retired on ${retired.retireDate ?? '?'}; rotate to a new key instead`,
    );
  }
  const now = nowIso();
  await store.transaction(async (tx) => {
    await tx
      .updateTable('deployment_keys')
      .set({ state: 'previous' })
      .where('state', '=', 'current')
      .where('key_id', '!=', target)
      .execute();
    const row = await tx
      .selectFrom('deployment_keys')
      .select('key_id')
      .where('key_id', '=', target)
      .executeTakeFirst();
    if (row) {
      await tx
        .updateTable('deployment_keys')
        .set({ state: 'current' })
        .where('key_id', '=', target)
        .execute();
    } else {
      await tx
        .insertInto('deployment_keys')
        .values({ key_id: target, state: 'current', create_date: now, retire_date: null })
        .execute();
    }
  });

  const resealed: Record<string, number> = {};
  // A node that sealed under an older key while the first pass ran is caught by the next.
  for (let pass = 0; pass < 5; pass++) {
    const counts = await resealPass(store, ring, target);
    let n = 0;
    for (const [name, c] of Object.entries(counts)) {
      resealed[name] = (resealed[name] ?? 0) + c;
      n += c;
    }
    if (n === 0) break;
  }
  const left = [...(await sealedValueCounts(store)).entries()].filter(([id]) => id !== target);
  if (left.length > 0) {
    const [id, byColumn] = left[0]!;
    const n = Object.values(byColumn).reduce((a, b) => a + b, 0);
    throw new MasterKeyError(
      `${n} values are still sealed under ${id}: a node still seals with it; put ${target} first in every node's key source and run rampart keys rotate again`,
    );
  }

  const retiredIds = await store.transaction(async (tx) => {
    const previous = await tx
      .selectFrom('deployment_keys')
      .select('key_id')
      .where('state', '=', 'previous')
      .execute();
    await tx
      .updateTable('deployment_keys')
      .set({ state: 'retired', retire_date: nowIso() })
      .where('state', '=', 'previous')
      .execute();
    return previous.map((p) => p.key_id);
  });
  return { currentKeyId: target, retiredKeyIds: retiredIds, resealed };
}
