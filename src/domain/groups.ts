import { sql } from 'kysely';
import type { GroupsDomain } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountDomain,
  accountQuotas,
  addToCount,
  blankToNull,
  deleteCounted,
  bumpPermissions,
  checkChars,
  checkFreeText,
  checkLength,
  decodeMarker,
  lockAccount,
  nameKey,
  nowIso,
  pageSize,
  randomAlnum,
  referencing,
  requireRoom,
  toPage,
  uniquely,
} from './common.js';
import { apiError } from '../errors.js';
import { err } from './messages.js';
import { groupFromRow, hasAttachedPolicy, lockUser, requireGroup, requireUser, userFromRow } from './rows.js';
import type { Tx } from '../store/index.js';

const NAME = /^[A-Za-z0-9._-]+$/;

export function checkGroupName(name: string, param = 'GroupName'): void {
  checkLength(
    name,
    1,
    64,
    `InvalidParameter.${param}.Length`,
    `The parameter - "${param}" beyond the length limit.`,
  );
  checkChars(
    name,
    NAME,
    `InvalidParameter.${param}.InvalidChars`,
    `The parameter - "${param}" contains invalid chars.`,
  );
}

function checkComments(comments: string | undefined, param: 'Comments' | 'NewComments'): void {
  if (comments !== undefined && [...comments].length > 128) {
    throw apiError(`InvalidParameter.${param}.Length`, `The parameter - "${param}" beyond the length limit.`);
  }
  checkFreeText(comments, param);
}

function checkDisplayName(v: string | undefined, param: 'DisplayName' | 'NewDisplayName'): void {
  if (v !== undefined && [...v].length > 128) {
    throw apiError(`InvalidParameter.${param}.Length`, `The parameter - "${param}" beyond the length limit.`);
  }
  checkFreeText(v, param);
}

export function createGroups(ctx: DomainContext): GroupsDomain {
  const { store } = ctx;

  const findByName = (tx: Tx, accountId: string, name: string) =>
    tx
      .selectFrom('user_groups')
      .select('group_id')
      .where('account_id', '=', accountId)
      .where('name_key', '=', nameKey(name))
      .executeTakeFirst();

  return {
    async create(accountId, input) {
      checkGroupName(input.groupName);
      checkComments(input.comments, 'Comments');
      checkDisplayName(input.displayName, 'DisplayName');
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        if (await findByName(tx, accountId, input.groupName)) throw err.groupExists(input.groupName);
        await requireRoom(ctx, tx, 'user_groups', accountId, err.groupLimit);
        const now = nowIso(ctx);
        const row = {
          account_id: accountId,
          group_id: `g-${randomAlnum(16)}`,
          group_name: input.groupName,
          name_key: nameKey(input.groupName),
          display_name: blankToNull(input.displayName),
          comments: blankToNull(input.comments),
          create_date: now,
          update_date: now,
        };
        await uniquely(
          () => tx.insertInto('user_groups').values(row).execute(),
          () => err.groupExists(input.groupName),
        );
        await addToCount(tx, 'user_groups', accountId, 1);
        return groupFromRow(row);
      });
    },

    async get(accountId, groupName) {
      return groupFromRow(await requireGroup(store.db, accountId, groupName));
    },

    async update(accountId, groupName, input) {
      if (input.newGroupName !== undefined) checkGroupName(input.newGroupName, 'NewGroupName');
      checkComments(input.newComments, 'NewComments');
      checkDisplayName(input.newDisplayName, 'NewDisplayName');
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireGroup(tx, accountId, groupName);
        const newName = input.newGroupName ?? row.group_name;
        if (nameKey(newName) !== row.name_key && (await findByName(tx, accountId, newName))) {
          throw err.groupExists(newName);
        }
        const set = {
          group_name: newName,
          name_key: nameKey(newName),
          ...(input.newComments !== undefined ? { comments: blankToNull(input.newComments) } : {}),
          ...(input.newDisplayName !== undefined ? { display_name: blankToNull(input.newDisplayName) } : {}),
          update_date: nowIso(ctx),
        };
        await uniquely(
          () =>
            tx
              .updateTable('user_groups')
              .set(set)
              .where('account_id', '=', accountId)
              .where('group_id', '=', row.group_id)
              .execute(),
          () => err.groupExists(newName),
        );
        // Group names appear in the explanation of decisions (attachedTo), not in permissions.
        return groupFromRow({ ...row, ...set });
      });
    },

    async delete(accountId, groupName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireGroup(tx, accountId, groupName);
        const member = await tx
          .selectFrom('group_members')
          .select('user_id')
          .where('account_id', '=', accountId)
          .where('group_id', '=', row.group_id)
          .executeTakeFirst();
        if (member) throw err.groupDeleteConflict('User', row.group_name);
        if (await hasAttachedPolicy(tx, accountId, 'group', row.group_id)) {
          throw err.groupDeleteConflict('Policy', row.group_name);
        }
        await deleteCounted(tx, 'user_groups', accountId, row.group_id);
        await bumpPermissions(tx, accountId);
      });
    },

    async list(accountId, page) {
      const limit = pageSize(page, 100);
      const after = decodeMarker(page?.marker);
      let q = store.db.selectFrom('user_groups').selectAll().where('account_id', '=', accountId);
      if (after !== undefined) q = q.where('name_key', '>', after);
      const rows = await q
        .orderBy('name_key')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (r) => r.name_key, groupFromRow);
    },

    async addUser(accountId, groupName, userName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const group = await requireGroup(tx, accountId, groupName);
        const user = await lockUser(ctx, tx, accountId, userName);
        const existing = await tx
          .selectFrom('group_members')
          .select('user_id')
          .where('account_id', '=', accountId)
          .where('group_id', '=', group.group_id)
          .where('user_id', '=', user.user_id)
          .executeTakeFirst();
        if (existing) throw err.memberExists(user.user_name, group.group_name);
        const quotas = await accountQuotas(ctx, tx, accountId);
        const n = await tx
          .selectFrom('group_members')
          .select(sql<string | number>`count(*)`.as('n'))
          .where('account_id', '=', accountId)
          .where('user_id', '=', user.user_id)
          .executeTakeFirst();
        if (Number(n?.n ?? 0) >= quotas.groupsPerUser) throw err.groupsPerUserLimit(quotas.groupsPerUser);
        await referencing(
          () =>
            uniquely(
              () =>
                tx
                  .insertInto('group_members')
                  .values({
                    account_id: accountId,
                    group_id: group.group_id,
                    user_id: user.user_id,
                    join_date: nowIso(ctx),
                  })
                  .execute(),
              () => err.memberExists(user.user_name, group.group_name),
            ),
          (constraint) =>
            constraint === 'group_members_group_fk'
              ? err.groupNotExist(groupName)
              : err.userNotExist(userName),
        );
        await bumpPermissions(tx, accountId);
      });
    },

    async removeUser(accountId, groupName, userName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const group = await requireGroup(tx, accountId, groupName);
        const user = await requireUser(tx, accountId, userName);
        const res = await tx
          .deleteFrom('group_members')
          .where('account_id', '=', accountId)
          .where('group_id', '=', group.group_id)
          .where('user_id', '=', user.user_id)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw err.memberNotExist(user.user_name, group.group_name);
        await bumpPermissions(tx, accountId);
      });
    },

    async listForUser(accountId, userName) {
      const user = await requireUser(store.db, accountId, userName);
      const rows = await store.db
        .selectFrom('group_members')
        .innerJoin('user_groups', (j) =>
          j
            .onRef('user_groups.account_id', '=', 'group_members.account_id')
            .onRef('user_groups.group_id', '=', 'group_members.group_id'),
        )
        .selectAll('user_groups')
        .select('group_members.join_date')
        .where('group_members.account_id', '=', accountId)
        .where('group_members.user_id', '=', user.user_id)
        .orderBy('user_groups.name_key')
        .execute();
      return rows.map((r) => ({ ...groupFromRow(r), joinDate: r.join_date }));
    },

    async listUsers(accountId, groupName, page) {
      const limit = pageSize(page, 1000);
      const after = decodeMarker(page?.marker);
      const group = await requireGroup(store.db, accountId, groupName);
      let q = store.db
        .selectFrom('group_members')
        .innerJoin('users', (j) =>
          j
            .onRef('users.account_id', '=', 'group_members.account_id')
            .onRef('users.user_id', '=', 'group_members.user_id'),
        )
        .selectAll('users')
        .select('group_members.join_date')
        .where('group_members.account_id', '=', accountId)
        .where('group_members.group_id', '=', group.group_id);
      if (after !== undefined) q = q.where('users.name_key', '>', after);
      const rows = await q
        .orderBy('users.name_key')
        .limit(limit + 1)
        .execute();
      const domain = await accountDomain(store.db, accountId);
      return toPage(
        rows,
        limit,
        (r) => r.name_key,
        (r) => ({ ...userFromRow(r, domain), joinDate: r.join_date }),
      );
    },
  };
}
