import { apiError } from '../errors.js';
import { sql } from 'kysely';
import type { Tx } from '../store/index.js';
import type { Page, Policy, PoliciesDomain, PolicyType, PolicyVersion, Tag } from './index.js';
import type { DomainContext } from './context.js';
import type { SystemPolicyShape } from './policy-engine.js';
import {
  accountQuotas,
  addToCount,
  deleteCounted,
  bumpPermissions,
  checkChars,
  checkFreeText,
  checkLength,
  decodeMarker,
  encodeMarker,
  invalid,
  lockAccount,
  nameKey,
  nowIso,
  optionalText,
  pageSize,
  randomDigits,
  requireRoom,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { findPolicyRow, requireCustomPolicy, tagsOf, type PolicyRow } from './rows.js';
import { checkTagFilter, checkTags, deleteAllTags, hasTag, writeTags } from './tags.js';
import { checkDocument } from './documents.js';

const NAME = /^[A-Za-z0-9-]+$/;
const VERSION_ID = /^v([1-9]\d{0,8})$/;

export function checkPolicyName(name: string): void {
  checkLength(
    name,
    1,
    128,
    'InvalidParameter.PolicyName.Length',
    'The parameter - "PolicyName" beyond the length limit.',
  );
  checkChars(
    name,
    NAME,
    'InvalidParameter.PolicyName.InvalidChars',
    'The parameter - "PolicyName" contains invalid chars.',
  );
}

export function checkPolicyType(t: string): asserts t is PolicyType {
  if (t !== 'System' && t !== 'Custom') throw err.policyType();
}

function checkDescription(d: string | undefined, param = 'Description'): void {
  if (d !== undefined && [...d].length > 1024) {
    throw apiError(
      'InvalidParameter.Description.Length',
      `The parameter - "${param}" beyond the length limit.`,
    );
  }
  checkFreeText(d, param, 'InvalidParameter.Description.InvalidChars');
}

/** The number of a version id (`v3` -> 3), or InvalidParameter.VersionId.Format. */
export function versionNumber(versionId: string): number {
  const m = VERSION_ID.exec(versionId);
  if (!m) throw err.versionFormat();
  return Number(m[1]);
}

/** System policies by lower-cased name. */
export async function systemPolicyIndex(ctx: DomainContext): Promise<Map<string, SystemPolicyShape>> {
  const engine = await ctx.engine();
  return new Map(engine.systemPolicies().map((p) => [nameKey(p.name), p]));
}

export async function requireSystemPolicy(ctx: DomainContext, name: string): Promise<SystemPolicyShape> {
  const p = (await systemPolicyIndex(ctx)).get(nameKey(name));
  if (!p) throw err.policyNotExist(name);
  return p;
}

/** Attachment counts of policies of one type in an account, by policy key. */
export async function attachmentCounts(
  tx: Tx,
  accountId: string,
  policyType: PolicyType,
  keys?: readonly string[],
): Promise<Map<string, number>> {
  if (keys && keys.length === 0) return new Map();
  let q = tx
    .selectFrom('attachments')
    .select(['policy_key', sql<string | number>`count(*)`.as('n')])
    .where('account_id', '=', accountId)
    .where('policy_type', '=', policyType);
  if (keys) q = q.where('policy_key', 'in', [...keys]);
  const rows = await q.groupBy('policy_key').execute();
  return new Map(rows.map((r) => [r.policy_key, Number(r.n)]));
}

function systemView(p: SystemPolicyShape, count: number): Policy {
  return {
    policyName: p.name,
    policyType: 'System',
    description: optionalText(p.description),
    defaultVersion: p.version,
    attachmentCount: count,
    createDate: p.createDate,
    updateDate: p.updateDate,
    tags: [],
  };
}

function customView(r: PolicyRow, count: number, tags: readonly Tag[]): Policy {
  return {
    policyName: r.policy_name,
    policyType: 'Custom',
    description: optionalText(r.description),
    defaultVersion: `v${r.default_version}`,
    attachmentCount: count,
    createDate: r.create_date,
    updateDate: r.update_date,
    tags,
  };
}

type VersionRow = { version_num: number; document: string; create_date: string };
const versionView = (r: VersionRow, defaultNum: number): PolicyVersion => ({
  versionId: `v${r.version_num}`,
  isDefaultVersion: r.version_num === defaultNum,
  policyDocument: r.document,
  createDate: r.create_date,
});

export function createPolicies(ctx: DomainContext): PoliciesDomain {
  const { store } = ctx;

  async function customPolicy(tx: Tx, row: PolicyRow): Promise<Policy> {
    const counts = await attachmentCounts(tx, row.account_id, 'Custom', [row.name_key]);
    const tags = await tagsOf(tx, row.account_id, 'policy', [row.policy_id]);
    return customView(row, counts.get(row.name_key) ?? 0, tags.get(row.policy_id) ?? []);
  }

  async function versions(tx: Tx, row: PolicyRow): Promise<VersionRow[]> {
    return tx
      .selectFrom('policy_versions')
      .select(['version_num', 'document', 'create_date'])
      .where('account_id', '=', row.account_id)
      .where('policy_id', '=', row.policy_id)
      .orderBy('version_num')
      .execute();
  }

  return {
    async create(accountId, input) {
      checkPolicyName(input.policyName);
      checkDescription(input.description);
      if (input.tags) checkTags(input.tags);
      await checkDocument(ctx, input.policyDocument, 'permission', 'CreatePolicy');
      if ((await systemPolicyIndex(ctx)).has(nameKey(input.policyName)))
        throw err.policyExists(input.policyName);
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        if (await findPolicyRow(tx, accountId, input.policyName)) throw err.policyExists(input.policyName);
        await requireRoom(ctx, tx, 'policies', accountId, err.policyLimit);
        const now = nowIso(ctx);
        const row: PolicyRow = {
          account_id: accountId,
          policy_id: randomDigits(16),
          policy_name: input.policyName,
          name_key: nameKey(input.policyName),
          description: input.description || null,
          default_version: 1,
          next_version: 2,
          create_date: now,
          update_date: now,
        };
        await uniquely(
          () => tx.insertInto('policies').values(row).execute(),
          () => err.policyExists(input.policyName),
        );
        await addToCount(tx, 'policies', accountId, 1);
        await tx
          .insertInto('policy_versions')
          .values({
            account_id: accountId,
            policy_id: row.policy_id,
            version_num: 1,
            document: input.policyDocument,
            create_date: now,
          })
          .execute();
        await writeTags(ctx, tx, accountId, 'policy', row.policy_id, input.tags ?? []);
        return customPolicy(tx, row);
      });
    },

    async get(accountId, policyType, policyName) {
      checkPolicyType(policyType);
      if (policyType === 'System') {
        const p = await requireSystemPolicy(ctx, policyName);
        const counts = await attachmentCounts(store.db, accountId, 'System', [nameKey(p.name)]);
        return {
          policy: systemView(p, counts.get(nameKey(p.name)) ?? 0),
          defaultPolicyVersion: {
            versionId: p.version,
            isDefaultVersion: true,
            policyDocument: p.document,
            createDate: p.createDate,
          },
        };
      }
      // One snapshot: a default version switched, or the policy deleted, between two reads
      // would leave the row without its default version.
      return store.snapshot(async (tx) => {
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const all = await versions(tx, row);
        const dv = all.find((v) => v.version_num === row.default_version)!;
        return {
          policy: await customPolicy(tx, row),
          defaultPolicyVersion: versionView(dv, row.default_version),
        };
      });
    },

    async updateDescription(accountId, policyName, newDescription) {
      checkDescription(newDescription, 'NewDescription');
      return store.transaction(async (tx) => {
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const set = { description: newDescription || null, update_date: nowIso(ctx) };
        await tx
          .updateTable('policies')
          .set(set)
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .execute();
        return customPolicy(tx, { ...row, ...set });
      });
    },

    async delete(accountId, policyName, opts) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const attached = tx
          .selectFrom('attachments')
          .where('account_id', '=', accountId)
          .where('policy_type', '=', 'Custom')
          .where('policy_key', '=', row.name_key);
        if (opts?.cascadingDelete) {
          await tx
            .deleteFrom('attachments')
            .where('account_id', '=', accountId)
            .where('policy_type', '=', 'Custom')
            .where('policy_key', '=', row.name_key)
            .execute();
        } else {
          for (const [kind, label] of [
            ['user', 'User'],
            ['group', 'Group'],
            ['role', 'Role'],
          ] as const) {
            const hit = await attached
              .select('principal_id')
              .where('principal_type', '=', kind)
              .executeTakeFirst();
            if (hit) throw err.policyDeleteConflict(label, row.policy_name);
          }
          const other = await tx
            .selectFrom('policy_versions')
            .select('version_num')
            .where('account_id', '=', accountId)
            .where('policy_id', '=', row.policy_id)
            .where('version_num', '!=', row.default_version)
            .executeTakeFirst();
          if (other) throw err.policyDeleteConflict('Version', row.policy_name);
        }
        await tx
          .deleteFrom('policy_versions')
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .execute();
        await deleteAllTags(tx, accountId, 'policy', row.policy_id);
        await deleteCounted(tx, 'policies', accountId, row.policy_id);
        await bumpPermissions(tx, accountId);
      });
    },

    async list(accountId, input): Promise<Page<Policy>> {
      const limit = pageSize(input, 1000);
      const after = decodeMarker(input?.marker);
      if (input?.policyType !== undefined) checkPolicyType(input.policyType);
      checkTagFilter(input?.tags);
      const filters = input?.tags ?? [];
      // Order: System policies by name, then Custom ones by name. Marker: "<S|C>:<key>".
      const [afterType, afterKey] = after === undefined ? ['', ''] : [after.slice(0, 1), after.slice(2)];
      // A marker this list made names a System or a Custom policy: anything else was altered.
      if (
        after !== undefined &&
        ((afterType !== 'S' && afterType !== 'C') || after[1] !== ':' || afterKey === '')
      ) {
        throw invalid('The parameter - "Marker" is invalid.');
      }
      const items: Policy[] = [];
      let truncated = false;
      let lastKey = '';
      const wantSystem =
        (input?.policyType ?? 'System') === 'System' && filters.length === 0 && afterType !== 'C';
      if (wantSystem && (input?.policyType === undefined || input.policyType === 'System')) {
        const all = [...(await systemPolicyIndex(ctx)).entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .filter(([k]) => afterType !== 'S' || k > afterKey);
        const page = all.slice(0, limit + 1);
        const counts = await attachmentCounts(
          store.db,
          accountId,
          'System',
          page.map(([k]) => k),
        );
        for (const [k, p] of page) {
          if (items.length === limit) {
            truncated = true;
            break;
          }
          items.push(systemView(p, counts.get(k) ?? 0));
          lastKey = `S:${k}`;
        }
      }
      if (!truncated && (input?.policyType === undefined || input.policyType === 'Custom')) {
        const room = limit - items.length;
        let q = store.db.selectFrom('policies').selectAll().where('account_id', '=', accountId);
        if (afterType === 'C') q = q.where('name_key', '>', afterKey);
        for (const f of filters) q = q.where(hasTag('policy', 'policies.policy_id', f));
        const rows = await q
          .orderBy('name_key')
          .limit(room + 1)
          .execute();
        const kept = rows.slice(0, room);
        truncated = rows.length > room;
        const counts = await attachmentCounts(
          store.db,
          accountId,
          'Custom',
          kept.map((r) => r.name_key),
        );
        const tags = await tagsOf(
          store.db,
          accountId,
          'policy',
          kept.map((r) => r.policy_id),
        );
        for (const r of kept) {
          items.push(customView(r, counts.get(r.name_key) ?? 0, tags.get(r.policy_id) ?? []));
          lastKey = `C:${r.name_key}`;
        }
      }
      return truncated
        ? { items, isTruncated: true, marker: encodeMarker(lastKey) }
        : { items, isTruncated: false };
    },

    async createVersion(accountId, policyName, input) {
      const rotate = input.rotateStrategy ?? 'None';
      if (rotate !== 'None' && rotate !== 'DeleteOldestNonDefaultVersionWhenLimitExceeded') {
        throw apiError('InvalidParameter', 'The parameter - "RotateStrategy" is invalid.');
      }
      await checkDocument(ctx, input.policyDocument, 'permission', 'CreatePolicyVersion');
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const quotas = await accountQuotas(ctx, tx, accountId);
        const existing = await versions(tx, row);
        if (existing.length >= quotas.versionsPerPolicy) {
          const oldest = existing.find((v) => v.version_num !== row.default_version);
          if (rotate === 'None' || !oldest) throw err.versionLimit(quotas.versionsPerPolicy);
          await tx
            .deleteFrom('policy_versions')
            .where('account_id', '=', accountId)
            .where('policy_id', '=', row.policy_id)
            .where('version_num', '=', oldest.version_num)
            .execute();
        }
        const now = nowIso(ctx);
        const num = row.next_version;
        await tx
          .insertInto('policy_versions')
          .values({
            account_id: accountId,
            policy_id: row.policy_id,
            version_num: num,
            document: input.policyDocument,
            create_date: now,
          })
          .execute();
        const defaultNum = input.setAsDefault ? num : row.default_version;
        await tx
          .updateTable('policies')
          .set({ next_version: num + 1, default_version: defaultNum, update_date: now })
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .execute();
        if (input.setAsDefault) await bumpPermissions(tx, accountId);
        return versionView(
          { version_num: num, document: input.policyDocument, create_date: now },
          defaultNum,
        );
      });
    },

    async getVersion(accountId, policyType, policyName, versionId) {
      checkPolicyType(policyType);
      const num = versionNumber(versionId);
      if (policyType === 'System') {
        const p = await requireSystemPolicy(ctx, policyName);
        if (versionId !== p.version) throw err.versionNotExist(p.name, versionId);
        return {
          versionId: p.version,
          isDefaultVersion: true,
          policyDocument: p.document,
          createDate: p.createDate,
        };
      }
      // One snapshot, so IsDefaultVersion is told by the policy row the version was read with.
      return store.snapshot(async (tx) => {
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const v = await tx
          .selectFrom('policy_versions')
          .select(['version_num', 'document', 'create_date'])
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .where('version_num', '=', num)
          .executeTakeFirst();
        if (!v) throw err.versionNotExist(row.policy_name, versionId);
        return versionView(v, row.default_version);
      });
    },

    async listVersions(accountId, policyType, policyName) {
      checkPolicyType(policyType);
      if (policyType === 'System') {
        const p = await requireSystemPolicy(ctx, policyName);
        return [
          {
            versionId: p.version,
            isDefaultVersion: true,
            policyDocument: p.document,
            createDate: p.createDate,
          },
        ];
      }
      // One snapshot: exactly one of the versions listed is the default.
      return store.snapshot(async (tx) => {
        const row = await requireCustomPolicy(tx, accountId, policyName);
        return (await versions(tx, row)).reverse().map((v) => versionView(v, row.default_version));
      });
    },

    async setDefaultVersion(accountId, policyName, versionId) {
      const num = versionNumber(versionId);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireCustomPolicy(tx, accountId, policyName);
        const v = await tx
          .selectFrom('policy_versions')
          .select('version_num')
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .where('version_num', '=', num)
          .executeTakeFirst();
        if (!v) throw err.versionNotExist(row.policy_name, versionId);
        if (row.default_version === num) return;
        await tx
          .updateTable('policies')
          .set({ default_version: num, update_date: nowIso(ctx) })
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .execute();
        await bumpPermissions(tx, accountId);
      });
    },

    async deleteVersion(accountId, policyName, versionId) {
      const num = versionNumber(versionId);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireCustomPolicy(tx, accountId, policyName);
        if (row.default_version === num) throw err.deleteDefaultVersion(row.policy_name, versionId);
        const res = await tx
          .deleteFrom('policy_versions')
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .where('version_num', '=', num)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw err.versionNotExist(row.policy_name, versionId);
        await tx
          .updateTable('policies')
          .set({ update_date: nowIso(ctx) })
          .where('account_id', '=', accountId)
          .where('policy_id', '=', row.policy_id)
          .execute();
        await bumpPermissions(tx, accountId);
      });
    },
  };
}
