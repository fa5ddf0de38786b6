import { roleArn } from '../arn.js';
import type { Selectable } from 'kysely';
import type { Tx } from '../store/index.js';
import type { DomainContext } from './context.js';
import type { GroupsTable, PoliciesTable, RolesTable, UsersTable } from '../store/schema.js';
import type { Group, Role, Tag, User } from './index.js';
import { nameKey, optionalText } from './common.js';
import { err } from './messages.js';

export type UserRow = Selectable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type RoleRow = Selectable<RolesTable>;
export type PolicyRow = Selectable<PoliciesTable>;

export async function findUserRow(tx: Tx, accountId: string, userName: string): Promise<UserRow | undefined> {
  return tx
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name_key', '=', nameKey(userName))
    .executeTakeFirst();
}

export async function requireUser(tx: Tx, accountId: string, userName: string): Promise<UserRow> {
  const row = await findUserRow(tx, accountId, userName);
  if (!row) throw err.userNotExist(userName);
  return row;
}

/**
 * The user, locked until the transaction ends: on PostgreSQL its row is read `FOR UPDATE`; on
 * SQLite the transaction already holds the database write lock (BEGIN IMMEDIATE). Every
 * transaction that deletes a user or creates something that belongs to one (an AccessKey, the
 * login profile, an MFA binding, a group membership, an attachment) takes it, so those
 * serialize per user on every node: a child is never created for a user deleted meanwhile, and
 * a delete always sees the children committed before it. Take it after lockAccount (one lock
 * order everywhere: the account, then the user). Throws EntityNotExist.User.
 */
export async function lockUser(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  userName: string,
): Promise<UserRow> {
  const q = tx
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name_key', '=', nameKey(userName));
  const row =
    ctx.store.dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : await q.executeTakeFirst();
  if (!row) throw err.userNotExist(userName);
  return row;
}

export async function requireGroup(tx: Tx, accountId: string, groupName: string): Promise<GroupRow> {
  const row = await tx
    .selectFrom('user_groups')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name_key', '=', nameKey(groupName))
    .executeTakeFirst();
  if (!row) throw err.groupNotExist(groupName);
  return row;
}

export async function findRoleRow(tx: Tx, accountId: string, roleName: string): Promise<RoleRow | undefined> {
  return tx
    .selectFrom('roles')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name_key', '=', nameKey(roleName))
    .executeTakeFirst();
}

export async function requireRole(tx: Tx, accountId: string, roleName: string): Promise<RoleRow> {
  const row = await findRoleRow(tx, accountId, roleName);
  if (!row) throw err.roleNotExist();
  return row;
}

export async function findPolicyRow(
  tx: Tx,
  accountId: string,
  policyName: string,
): Promise<PolicyRow | undefined> {
  return tx
    .selectFrom('policies')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name_key', '=', nameKey(policyName))
    .executeTakeFirst();
}

export async function requireCustomPolicy(tx: Tx, accountId: string, policyName: string): Promise<PolicyRow> {
  const row = await findPolicyRow(tx, accountId, policyName);
  if (!row) throw err.policyNotExist(policyName);
  return row;
}

/** Whether any policy is attached to the user, group or role (by its id). */
export async function hasAttachedPolicy(
  tx: Tx,
  accountId: string,
  principalType: 'user' | 'group' | 'role',
  principalId: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom('attachments')
    .select('policy_key')
    .where('account_id', '=', accountId)
    .where('principal_type', '=', principalType)
    .where('principal_id', '=', principalId)
    .executeTakeFirst();
  return row !== undefined;
}

export function userFromRow(r: UserRow, domain: string): User {
  return {
    userId: r.user_id,
    userName: r.user_name,
    userPrincipalName: `${r.user_name}@${domain}`,
    displayName: optionalText(r.display_name),
    email: optionalText(r.email),
    mobilePhone: optionalText(r.mobile_phone),
    comments: optionalText(r.comments),
    createDate: r.create_date,
    updateDate: r.update_date,
    lastLoginDate: optionalText(r.last_login_date),
  };
}

export function groupFromRow(r: GroupRow): Group {
  return {
    groupId: r.group_id,
    groupName: r.group_name,
    displayName: optionalText(r.display_name),
    comments: optionalText(r.comments),
    createDate: r.create_date,
    updateDate: r.update_date,
  };
}

export function roleFromRow(r: RoleRow, tags: readonly Tag[]): Role {
  return {
    roleId: r.role_id,
    roleName: r.role_name,
    arn: roleArn(r.account_id, r.role_name),
    description: optionalText(r.description),
    assumeRolePolicyDocument: r.trust_policy,
    maxSessionDuration: r.max_session_duration,
    createDate: r.create_date,
    updateDate: r.update_date,
    tags,
  };
}

/** Tags of resources, keyed by resource id, keys in order. */
export async function tagsOf(
  tx: Tx,
  accountId: string,
  resourceType: 'role' | 'policy',
  ids: readonly string[],
): Promise<Map<string, Tag[]>> {
  const out = new Map<string, Tag[]>();
  if (ids.length === 0) return out;
  const rows = await tx
    .selectFrom('tags')
    .select(['resource_id', 'tag_key', 'tag_value'])
    .where('account_id', '=', accountId)
    .where('resource_type', '=', resourceType)
    .where('resource_id', 'in', [...ids])
    .orderBy('tag_key')
    .execute();
  for (const r of rows) {
    const list = out.get(r.resource_id) ?? [];
    list.push({ tagKey: r.tag_key, tagValue: r.tag_value });
    out.set(r.resource_id, list);
  }
  return out;
}
