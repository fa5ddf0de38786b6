import { apiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import type { CreateRoleInput, Page, Role, RolesDomain } from './index.js';
import type { DomainContext } from './context.js';
import {
  addToCount,
  deleteCounted,
  bumpPermissions,
  checkChars,
  checkFreeText,
  checkLength,
  decodeMarker,
  invalid,
  lockAccount,
  nameKey,
  nowIso,
  pageSize,
  randomDigits,
  requireRoom,
  toPage,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { findRoleRow, hasAttachedPolicy, requireRole, roleFromRow, tagsOf, type RoleRow } from './rows.js';
import { checkTagFilter, checkTags, deleteAllTags, hasTag, writeTags } from './tags.js';
import { checkDocument } from './documents.js';

const NAME = /^[A-Za-z0-9.-]+$/;

export function checkRoleName(name: string): void {
  checkLength(
    name,
    1,
    64,
    'InvalidParameter.RoleName.Length',
    'The parameter - "RoleName" beyond the length limit.',
  );
  checkChars(
    name,
    NAME,
    'InvalidParameter.RoleName.InvalidChars',
    'The parameter - "RoleName" contains invalid chars.',
  );
}

function checkDescription(d: string | undefined): void {
  if (d !== undefined && [...d].length > 1024) {
    throw apiError(
      'InvalidParameter.Description.Length',
      'The parameter - "Description" beyond the length limit.',
    );
  }
  checkFreeText(d, 'Description');
}

function checkDuration(v: number | undefined, param: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 3600 || v > 43200)) {
    throw invalid(`The parameter - "${param}" MUST be in the range of 3600 and 43200.`);
  }
}

/**
 * Writes a new role in the caller's transaction `tx` (its input already checked by
 * `create`): CreateRole's rules of uniqueness and quota. For a change that creates a role
 * together with other rows (a member account of a resource directory with its access role).
 */
export async function insertRole(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  input: CreateRoleInput,
): Promise<Role> {
  await lockAccount(ctx, tx, accountId);
  if (await findRoleRow(tx, accountId, input.roleName)) throw err.roleExists();
  await requireRoom(ctx, tx, 'roles', accountId, err.roleLimit);
  const now = nowIso(ctx);
  const row: RoleRow = {
    account_id: accountId,
    role_id: randomDigits(19),
    role_name: input.roleName,
    name_key: nameKey(input.roleName),
    description: input.description || null,
    trust_policy: input.assumeRolePolicyDocument,
    max_session_duration: input.maxSessionDuration ?? 3600,
    create_date: now,
    update_date: now,
  };
  await uniquely(() => tx.insertInto('roles').values(row).execute(), err.roleExists);
  await addToCount(tx, 'roles', accountId, 1);
  await writeTags(ctx, tx, accountId, 'role', row.role_id, input.tags ?? []);
  const tags = await tagsOf(tx, row.account_id, 'role', [row.role_id]);
  return roleFromRow(row, tags.get(row.role_id) ?? []);
}

export function createRoles(ctx: DomainContext): RolesDomain {
  const { store } = ctx;

  async function view(tx: Tx, row: RoleRow): Promise<Role> {
    const tags = await tagsOf(tx, row.account_id, 'role', [row.role_id]);
    return roleFromRow(row, tags.get(row.role_id) ?? []);
  }

  return {
    async create(accountId, input) {
      checkRoleName(input.roleName);
      checkDescription(input.description);
      checkDuration(input.maxSessionDuration, 'MaxSessionDuration');
      if (input.tags) checkTags(input.tags);
      await checkDocument(ctx, input.assumeRolePolicyDocument, 'trust', 'CreateRole');
      return store.transaction((tx) => insertRole(ctx, tx, accountId, input));
    },

    async get(accountId, roleName) {
      return view(store.db, await requireRole(store.db, accountId, roleName));
    },

    async findById(accountId, roleId) {
      const row = await store.db
        .selectFrom('roles')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('role_id', '=', roleId)
        .executeTakeFirst();
      return row ? view(store.db, row) : undefined;
    },

    async update(accountId, roleName, input) {
      checkDescription(input.newDescription);
      checkDuration(input.newMaxSessionDuration, 'NewMaxSessionDuration');
      if (input.newAssumeRolePolicyDocument !== undefined) {
        await checkDocument(ctx, input.newAssumeRolePolicyDocument, 'trust', 'UpdateRole');
      }
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireRole(tx, accountId, roleName);
        const set = {
          ...(input.newAssumeRolePolicyDocument !== undefined
            ? { trust_policy: input.newAssumeRolePolicyDocument }
            : {}),
          ...(input.newDescription !== undefined ? { description: input.newDescription || null } : {}),
          ...(input.newMaxSessionDuration !== undefined
            ? { max_session_duration: input.newMaxSessionDuration }
            : {}),
          update_date: nowIso(ctx),
        };
        await tx
          .updateTable('roles')
          .set(set)
          .where('account_id', '=', accountId)
          .where('role_id', '=', row.role_id)
          .execute();
        // A new trust policy changes who may assume the role.
        if (input.newAssumeRolePolicyDocument !== undefined) await bumpPermissions(tx, accountId);
        return view(tx, { ...row, ...set });
      });
    },

    async delete(accountId, roleName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireRole(tx, accountId, roleName);
        if (await hasAttachedPolicy(tx, accountId, 'role', row.role_id))
          throw err.roleDeleteConflict(row.role_name);
        await deleteAllTags(tx, accountId, 'role', row.role_id);
        await deleteCounted(tx, 'roles', accountId, row.role_id);
        await bumpPermissions(tx, accountId);
      });
    },

    async list(accountId, input): Promise<Page<Role>> {
      const limit = pageSize(input, 1000);
      const after = decodeMarker(input?.marker);
      checkTagFilter(input?.tags);
      let q = store.db.selectFrom('roles').selectAll().where('account_id', '=', accountId);
      if (after !== undefined) q = q.where('name_key', '>', after);
      for (const f of input?.tags ?? []) q = q.where(hasTag('role', 'roles.role_id', f));
      const rows = await q
        .orderBy('name_key')
        .limit(limit + 1)
        .execute();
      const tags = await tagsOf(
        store.db,
        accountId,
        'role',
        rows.slice(0, limit).map((r) => r.role_id),
      );
      return toPage(
        rows,
        limit,
        (r) => r.name_key,
        (r) => roleFromRow(r, tags.get(r.role_id) ?? []),
      );
    },
  };
}
