import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Tx } from '../store/index.js';
import type { Tag, TaggableResourceType, TagsDomain, TagResource, TagFilter } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountQuotas,
  checkFreeText,
  checkLength,
  hasControlChars,
  invalid,
  lockAccount,
  nameKey,
  tagLimitExceeded,
} from './common.js';
import { err } from './messages.js';
import { findPolicyRow, findRoleRow } from './rows.js';

/** Tag rules: key 1..128 characters, value 0..256, no `acs:` / `aliyun` key prefix, no duplicate keys. */
export function checkTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const key = t.tagKey;
    if (typeof key !== 'string') throw invalid('The parameter - "Tag.N.Key" MUST be 1 to 128 characters.');
    // Characters are code points (an emoji is one), as the API layer counts them.
    checkLength(key, 1, 128, 'InvalidParameter', 'The parameter - "Tag.N.Key" MUST be 1 to 128 characters.');
    if (/^(acs:|aliyun)/i.test(key)) {
      throw invalid('The parameter - "Tag.N.Key" cannot start with "acs:" or "aliyun".');
    }
    if (typeof t.tagValue !== 'string')
      throw invalid('The parameter - "Tag.N.Value" MUST be at most 256 characters.');
    checkLength(
      t.tagValue,
      0,
      256,
      'InvalidParameter',
      'The parameter - "Tag.N.Value" MUST be at most 256 characters.',
    );
    if (/^(acs:|aliyun)/i.test(t.tagValue)) {
      throw invalid('The parameter - "Tag.N.Value" cannot start with "acs:" or "aliyun".');
    }
    checkFreeText(key, 'Tag.N.Key', 'InvalidParameter');
    checkFreeText(t.tagValue, 'Tag.N.Value', 'InvalidParameter');
    if (seen.has(key)) throw invalid(`The parameter - "Tag.N.Key" is duplicated: ${key}.`);
    seen.add(key);
  }
}

function checkType(t: string): asserts t is TaggableResourceType {
  if (t !== 'role' && t !== 'policy') throw invalid('The parameter - "ResourceType" MUST be role or policy.');
}

/** Resolves a resource name to its id, or throws EntityNotExist.Role / .Policy. */
async function resourceId(
  tx: Tx,
  accountId: string,
  type: TaggableResourceType,
  name: string,
): Promise<string> {
  if (type === 'role') {
    const r = await findRoleRow(tx, accountId, name);
    if (!r) throw err.roleNotExist();
    return r.role_id;
  }
  const p = await findPolicyRow(tx, accountId, name);
  if (!p) throw err.policyNotExist(name);
  return p.policy_id;
}

/** Adds or overwrites tags on one resource within the per-resource quota. The caller holds the transaction. */
export async function writeTags(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  type: TaggableResourceType,
  id: string,
  tags: readonly Tag[],
): Promise<void> {
  if (tags.length === 0) return;
  const existing = await tx
    .selectFrom('tags')
    .select('tag_key')
    .where('account_id', '=', accountId)
    .where('resource_type', '=', type)
    .where('resource_id', '=', id)
    .execute();
  const keys = new Set(existing.map((r) => r.tag_key));
  for (const t of tags) keys.add(t.tagKey);
  const quotas = await accountQuotas(ctx, tx, accountId);
  if (keys.size > quotas.tagsPerResource) {
    throw tagLimitExceeded(
      `The count of tags on the resource beyond the current limits: ${quotas.tagsPerResource}.`,
    );
  }
  for (const t of tags) {
    await tx
      .deleteFrom('tags')
      .where('account_id', '=', accountId)
      .where('resource_type', '=', type)
      .where('resource_id', '=', id)
      .where('tag_key', '=', t.tagKey)
      .execute();
    await tx
      .insertInto('tags')
      .values({
        account_id: accountId,
        resource_type: type,
        resource_id: id,
        tag_key: t.tagKey,
        tag_value: t.tagValue,
      })
      .execute();
  }
}

export async function deleteAllTags(
  tx: Tx,
  accountId: string,
  type: TaggableResourceType,
  id: string,
): Promise<void> {
  await tx
    .deleteFrom('tags')
    .where('account_id', '=', accountId)
    .where('resource_type', '=', type)
    .where('resource_id', '=', id)
    .execute();
}

/**
 * The condition of one tag filter of ListRoles / ListPolicies: the listed resource (its id
 * column, `roles.role_id` or `policies.policy_id`) carries the tag key, with the value when
 * the filter gives one.
 */
export function hasTag(
  type: TaggableResourceType,
  idColumn: 'roles.role_id' | 'policies.policy_id',
  filter: TagFilter,
) {
  const accountColumn = idColumn === 'roles.role_id' ? 'roles.account_id' : 'policies.account_id';
  return ({ exists, selectFrom }: ExpressionBuilder<Database, 'roles' | 'policies'>) =>
    exists(
      selectFrom('tags')
        .select('tags.tag_key')
        .whereRef('tags.account_id', '=', accountColumn)
        .whereRef('tags.resource_id', '=', idColumn)
        .where('tags.resource_type', '=', type)
        .where('tags.tag_key', '=', filter.tagKey)
        .$if(filter.tagValue !== undefined, (q) => q.where('tags.tag_value', '=', filter.tagValue!)),
    );
}

/** Checks a tag filter of ListRoles / ListPolicies. */
export function checkTagFilter(filters: readonly TagFilter[] | undefined): void {
  for (const f of filters ?? []) {
    if (typeof f.tagKey !== 'string')
      throw invalid('The parameter - "Tag.N.Key" MUST be 1 to 128 characters.');
    checkLength(
      f.tagKey,
      1,
      128,
      'InvalidParameter',
      'The parameter - "Tag.N.Key" MUST be 1 to 128 characters.',
    );
    checkFreeText(f.tagKey, 'Tag.N.Key', 'InvalidParameter');
    checkFreeText(f.tagValue, 'Tag.N.Value', 'InvalidParameter');
  }
}

const MAX_NAMES = 50;

/**
 * ListTagResources' NextToken: the last (resource name key, tag key) of the page before, so that
 * rows removed or added between two pages never make the next one skip or repeat a row.
 */
function decodeToken(token: string | undefined): readonly [string, string] | undefined {
  if (token === undefined || token === '') return undefined;
  const bad = () => invalid('The parameter - "NextToken" is invalid.');
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith('k:') || Buffer.from(text, 'utf8').toString('base64url') !== token) throw bad();
  let after: unknown;
  try {
    after = JSON.parse(text.slice(2));
  } catch {
    throw bad();
  }
  if (!Array.isArray(after) || after.length !== 2 || !after.every((x) => typeof x === 'string')) throw bad();
  // A key with a control character is no key of a stored row (and PostgreSQL cannot take a NUL).
  if (after.some((x) => hasControlChars(x as string))) throw bad();
  return [after[0] as string, after[1] as string];
}

const encodeToken = (resourceKey: string, tagKey: string): string =>
  Buffer.from(`k:${JSON.stringify([resourceKey, tagKey])}`, 'utf8').toString('base64url');

export function createTags(ctx: DomainContext): TagsDomain {
  const { store } = ctx;
  return {
    async tag(accountId, resourceType, resourceNames, tags) {
      checkType(resourceType);
      if (resourceNames.length === 0 || resourceNames.length > MAX_NAMES) {
        throw invalid(`The parameter - "ResourceNames" MUST hold 1 to ${MAX_NAMES} names.`);
      }
      if (tags.length === 0) throw invalid('The parameter - "Tag" MUST hold at least one tag.');
      checkTags(tags);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        for (const name of resourceNames) {
          await writeTags(
            ctx,
            tx,
            accountId,
            resourceType,
            await resourceId(tx, accountId, resourceType, name),
            tags,
          );
        }
      });
    },

    async untag(accountId, resourceType, resourceNames, opts) {
      checkType(resourceType);
      if (resourceNames.length === 0 || resourceNames.length > MAX_NAMES) {
        throw invalid(`The parameter - "ResourceNames" MUST hold 1 to ${MAX_NAMES} names.`);
      }
      const keys = opts.tagKeys ?? [];
      if (!opts.all && keys.length === 0) throw invalid('Either "TagKeys" or "All" MUST be given.');
      for (const key of keys) checkFreeText(key, 'TagKeys', 'InvalidParameter');
      await store.transaction(async (tx) => {
        for (const name of resourceNames) {
          const id = await resourceId(tx, accountId, resourceType, name);
          let q = tx
            .deleteFrom('tags')
            .where('account_id', '=', accountId)
            .where('resource_type', '=', resourceType)
            .where('resource_id', '=', id);
          if (!opts.all) q = q.where('tag_key', 'in', [...keys]);
          await q.execute();
        }
      });
    },

    async list(accountId, input) {
      checkType(input.resourceType);
      checkTagFilter(input.tags);
      const size = input.pageSize ?? 50;
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw invalid('The parameter - "PageSize" MUST be in the range of 1 and 100.');
      }
      const after = decodeToken(input.nextToken);
      const idCol = input.resourceType === 'role' ? 'role_id' : 'policy_id';
      const nameCol = input.resourceType === 'role' ? 'role_name' : 'policy_name';
      const table = input.resourceType === 'role' ? 'roles' : 'policies';
      const conditions = [sql`t.account_id = ${accountId}`, sql`t.resource_type = ${input.resourceType}`];
      if (input.resourceNames && input.resourceNames.length > 0) {
        const keys = input.resourceNames.map(nameKey);
        conditions.push(sql`r.name_key in (${sql.join(keys)})`);
      }
      if (input.tags && input.tags.length > 0) {
        const ors = input.tags.map((f) =>
          f.tagValue === undefined
            ? sql`t.tag_key = ${f.tagKey}`
            : sql`(t.tag_key = ${f.tagKey} and t.tag_value = ${f.tagValue})`,
        );
        conditions.push(sql`(${sql.join(ors, sql` or `)})`);
      }
      if (after) {
        const [resourceKey, tagKey] = after;
        conditions.push(
          sql`(r.name_key > ${resourceKey} or (r.name_key = ${resourceKey} and t.tag_key > ${tagKey}))`,
        );
      }
      const result = await sql<{ name: string; name_key: string; tag_key: string; tag_value: string }>`
        select r.${sql.ref(nameCol)} as name, r.name_key, t.tag_key, t.tag_value
        from tags t join ${sql.table(table)} r
          on r.account_id = t.account_id and r.${sql.ref(idCol)} = t.resource_id
        where ${sql.join(conditions, sql` and `)}
        order by r.name_key, t.tag_key
        limit ${size + 1}`.execute(store.db);
      const rows = result.rows;
      const items: TagResource[] = rows.slice(0, size).map((r) => ({
        resourceType: input.resourceType,
        resourceName: r.name,
        tagKey: r.tag_key,
        tagValue: r.tag_value,
      }));
      const last = rows[size - 1];
      return rows.length > size && last
        ? { items, nextToken: encodeToken(last.name_key, last.tag_key) }
        : { items };
    },
  };
}
