import type { Tx } from '../store/index.js';
import type { Page, PageRequest, Tag, TagFilter, User } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountDomain,
  checkFreeText,
  decodeMarker,
  invalid,
  lockAccount,
  pageSize,
  toPage,
} from './common.js';
import { err } from './messages.js';
import { userFromRow } from './rows.js';
import { checkTagFilter, checkTags, writeTags } from './tags.js';

/**
 * Tags on RAM users (IMS: CreateUser Tag, ListUsers / ListUserBasicInfos tag filters,
 * TagResources / UntagResources / ListTagResources with ResourceType `user`). They live in
 * the tags table beside role and policy tags, keyed by the user id, within the same
 * per-resource quota and key rules.
 */
export interface UserTagRow {
  readonly userId: string;
  readonly tagKey: string;
  readonly tagValue: string;
}

export interface UserTagsDomain {
  /** Adds or overwrites tags on users (by id). Throws EntityNotExist.User, InvalidParameter, LimitExceeded.Tag. */
  tag(accountId: string, userIds: readonly string[], tags: readonly Tag[]): Promise<void>;
  /**
   * Removes the keys, or every tag with all. Throws EntityNotExist.User, InvalidParameter (a
   * key with a control character, as RAM's UntagResources).
   */
  untag(
    accountId: string,
    userIds: readonly string[],
    opts: { readonly tagKeys?: readonly string[]; readonly all?: boolean },
  ): Promise<void>;
  /** The tags of each user id given (users without tags map to []). */
  tagsOf(accountId: string, userIds: readonly string[]): Promise<ReadonlyMap<string, readonly Tag[]>>;
  /**
   * ListTagResources for users: the tags of the given users (every tagged user when none is
   * given), only those matching one of `tags` when given; NextToken paging (pageSize 1..100, default 50).
   * Throws InvalidParameter for a filter with a control character (RAM's tag filter rule) and
   * for a NextToken this service did not give.
   */
  list(
    accountId: string,
    input: {
      readonly userIds?: readonly string[];
      readonly tags?: readonly TagFilter[];
      readonly nextToken?: string;
      readonly pageSize?: number;
    },
  ): Promise<{ readonly items: readonly UserTagRow[]; readonly nextToken?: string }>;
  /**
   * ListUsers with a tag filter: users carrying every filter tag, by name ignoring case.
   * Throws InvalidParameter for a filter with a control character (RAM's tag filter rule).
   */
  listUsers(
    accountId: string,
    page: PageRequest & { readonly tags?: readonly TagFilter[] },
  ): Promise<Page<User>>;
}

async function requireUserIds(tx: Tx, accountId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const rows = await tx
    .selectFrom('users')
    .select('user_id')
    .where('account_id', '=', accountId)
    .where('user_id', 'in', [...userIds])
    .execute();
  const found = new Set(rows.map((r) => r.user_id));
  for (const id of userIds) if (!found.has(id)) throw err.userNotExist(id);
}

export function createUserTags(ctx: DomainContext): UserTagsDomain {
  const { store } = ctx;
  return {
    async tag(accountId, userIds, tags) {
      checkTags(tags);
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        await requireUserIds(tx, accountId, userIds);
        // writeTags keys rows by resource type; users share the table as type `user`.
        for (const id of userIds) await writeTags(ctx, tx, accountId, 'user' as 'role', id, tags);
      });
    },

    async untag(accountId, userIds, opts) {
      for (const key of opts.tagKeys ?? []) checkFreeText(key, 'TagKey.N', 'InvalidParameter');
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        await requireUserIds(tx, accountId, userIds);
        if (!opts.all && (opts.tagKeys?.length ?? 0) === 0) return;
        let q = tx
          .deleteFrom('tags')
          .where('account_id', '=', accountId)
          .where('resource_type', '=', 'user')
          .where('resource_id', 'in', [...userIds]);
        if (!opts.all) q = q.where('tag_key', 'in', [...(opts.tagKeys ?? [])]);
        if (userIds.length > 0) await q.execute();
      });
    },

    async tagsOf(accountId, userIds) {
      const out = new Map<string, Tag[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return out;
      const rows = await store.db
        .selectFrom('tags')
        .select(['resource_id', 'tag_key', 'tag_value'])
        .where('account_id', '=', accountId)
        .where('resource_type', '=', 'user')
        .where('resource_id', 'in', [...userIds])
        .orderBy('tag_key')
        .execute();
      for (const r of rows) out.get(r.resource_id)?.push({ tagKey: r.tag_key, tagValue: r.tag_value });
      return out;
    },

    async list(accountId, input) {
      const size = input.pageSize ?? 50;
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw invalid('The parameter - "PageSize" MUST be in the range of 1 and 100.');
      }
      checkTagFilter(input.tags);
      const after = decodeMarker(input.nextToken, 'NextToken');
      let q = store.db
        .selectFrom('tags')
        .innerJoin('users', (j) =>
          j.onRef('users.account_id', '=', 'tags.account_id').onRef('users.user_id', '=', 'tags.resource_id'),
        )
        .select(['tags.resource_id', 'tags.tag_key', 'tags.tag_value'])
        .where('tags.account_id', '=', accountId)
        .where('tags.resource_type', '=', 'user');
      if (input.userIds && input.userIds.length > 0)
        q = q.where('tags.resource_id', 'in', [...input.userIds]);
      const filters = input.tags ?? [];
      if (filters.length > 0) {
        q = q.where((eb) =>
          eb.or(
            filters.map((f) =>
              f.tagValue === undefined
                ? eb('tags.tag_key', '=', f.tagKey)
                : eb.and([eb('tags.tag_key', '=', f.tagKey), eb('tags.tag_value', '=', f.tagValue)]),
            ),
          ),
        );
      }
      // Order by (user id, tag key); the token is the last pair, joined by a NUL-free separator.
      if (after !== undefined) {
        const [id, key] = splitToken(after);
        q = q.where((eb) =>
          eb.or([
            eb('tags.resource_id', '>', id),
            eb.and([eb('tags.resource_id', '=', id), eb('tags.tag_key', '>', key)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('tags.resource_id')
        .orderBy('tags.tag_key')
        .limit(size + 1)
        .execute();
      const page = toPage(
        rows,
        size,
        (r) => `${r.resource_id}/${r.tag_key}`,
        (r) => ({ userId: r.resource_id, tagKey: r.tag_key, tagValue: r.tag_value }),
      );
      return { items: page.items, ...(page.marker !== undefined ? { nextToken: page.marker } : {}) };
    },

    async listUsers(accountId, page) {
      const limit = pageSize(page, 1000);
      checkTagFilter(page.tags);
      const after = decodeMarker(page.marker);
      let q = store.db.selectFrom('users').selectAll().where('users.account_id', '=', accountId);
      for (const f of page.tags ?? []) {
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('tags')
              .select('tags.tag_key')
              .whereRef('tags.account_id', '=', 'users.account_id')
              .whereRef('tags.resource_id', '=', 'users.user_id')
              .where('tags.resource_type', '=', 'user')
              .where('tags.tag_key', '=', f.tagKey)
              .$if(f.tagValue !== undefined, (s) => s.where('tags.tag_value', '=', f.tagValue!)),
          ),
        );
      }
      if (after !== undefined) q = q.where('name_key', '>', after);
      const rows = await q
        .orderBy('name_key')
        .limit(limit + 1)
        .execute();
      const domain = await accountDomain(store.db, accountId);
      return toPage(
        rows,
        limit,
        (r) => r.name_key,
        (r) => userFromRow(r, domain),
      );
    },
  };
}

/** A user id holds digits only: the first `/` separates it from the tag key. */
function splitToken(token: string): [string, string] {
  const i = token.indexOf('/');
  if (i < 0) throw invalid('The parameter - "NextToken" is invalid.');
  return [token.slice(0, i), token.slice(i + 1)];
}
