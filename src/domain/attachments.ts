import { sql } from 'kysely';
import type { Tx } from '../store/index.js';
import type {
  AttachedPolicy,
  AttachmentTarget,
  AttachmentsDomain,
  PolicyEntities,
  PolicyType,
} from './index.js';
import type { DomainContext } from './context.js';
import {
  accountQuotas,
  bumpPermissions,
  lockAccount,
  nameKey,
  nowIso,
  optionalText,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { roleArn } from '../arn.js';
import { lockUser, requireGroup, requireRole, requireUser, requireCustomPolicy } from './rows.js';
import { checkPolicyType, requireSystemPolicy, systemPolicyIndex } from './policies.js';

type Kind = 'User' | 'Group' | 'Role';
interface ResolvedTarget {
  readonly principalType: 'user' | 'group' | 'role';
  readonly id: string;
  readonly name: string;
  readonly kind: Kind;
}

/**
 * The user, group or role a policy is attached to. With lockWith (attach), a user is locked
 * (lockUser), so the attachment is never written for a user deleted meanwhile.
 */
async function resolveTarget(
  tx: Tx,
  accountId: string,
  target: AttachmentTarget,
  lockWith?: DomainContext,
): Promise<ResolvedTarget> {
  switch (target.kind) {
    case 'user': {
      const u = lockWith
        ? await lockUser(lockWith, tx, accountId, target.userName)
        : await requireUser(tx, accountId, target.userName);
      return { principalType: 'user', id: u.user_id, name: u.user_name, kind: 'User' };
    }
    case 'group': {
      const g = await requireGroup(tx, accountId, target.groupName);
      return { principalType: 'group', id: g.group_id, name: g.group_name, kind: 'Group' };
    }
    case 'role': {
      const r = await requireRole(tx, accountId, target.roleName);
      return { principalType: 'role', id: r.role_id, name: r.role_name, kind: 'Role' };
    }
  }
}

/** The canonical name of a policy of the given type, or EntityNotExist.Policy. */
async function resolvePolicy(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  policyType: PolicyType,
  policyName: string,
): Promise<string> {
  checkPolicyType(policyType);
  if (policyType === 'System') return (await requireSystemPolicy(ctx, policyName)).name;
  return (await requireCustomPolicy(tx, accountId, policyName)).policy_name;
}

/**
 * Attaches a policy in the caller's transaction `tx`, with AttachPolicyTo*'s rules. For a
 * change that attaches together with other rows (the access role of a new member account).
 */
export async function attachIn(
  ctx: DomainContext,
  tx: Tx,
  accountId: string,
  target: AttachmentTarget,
  policyType: PolicyType,
  policyName: string,
): Promise<void> {
  await lockAccount(ctx, tx, accountId);
  const t = await resolveTarget(tx, accountId, target, ctx);
  const name = await resolvePolicy(ctx, tx, accountId, policyType, policyName);
  const base = tx
    .selectFrom('attachments')
    .where('account_id', '=', accountId)
    .where('principal_type', '=', t.principalType)
    .where('principal_id', '=', t.id)
    .where('policy_type', '=', policyType);
  const existing = await base.select('policy_key').where('policy_key', '=', nameKey(name)).executeTakeFirst();
  if (existing) throw err.attachmentExists(t.kind, name, t.name);
  const quotas = await accountQuotas(ctx, tx, accountId);
  const max = policyType === 'System' ? quotas.systemPoliciesPerIdentity : quotas.customPoliciesPerIdentity;
  const n = await base.select(sql<string | number>`count(*)`.as('n')).executeTakeFirst();
  if (Number(n?.n ?? 0) >= max) throw err.attachmentLimit(t.kind, policyType, max);
  await uniquely(
    () =>
      tx
        .insertInto('attachments')
        .values({
          account_id: accountId,
          policy_type: policyType,
          policy_key: nameKey(name),
          principal_type: t.principalType,
          principal_id: t.id,
          attach_date: nowIso(ctx),
        })
        .execute(),
    () => err.attachmentExists(t.kind, name, t.name),
  );
  await bumpPermissions(tx, accountId);
}

export function createAttachments(ctx: DomainContext): AttachmentsDomain {
  const { store } = ctx;

  return {
    async attach(accountId, target, policyType, policyName) {
      await store.transaction((tx) => attachIn(ctx, tx, accountId, target, policyType, policyName));
    },

    async detach(accountId, target, policyType, policyName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const t = await resolveTarget(tx, accountId, target);
        const name = await resolvePolicy(ctx, tx, accountId, policyType, policyName);
        const res = await tx
          .deleteFrom('attachments')
          .where('account_id', '=', accountId)
          .where('principal_type', '=', t.principalType)
          .where('principal_id', '=', t.id)
          .where('policy_type', '=', policyType)
          .where('policy_key', '=', nameKey(name))
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw err.attachmentNotExist(t.kind, name, t.name);
        await bumpPermissions(tx, accountId);
      });
    },

    async listForTarget(accountId, target) {
      const t = await resolveTarget(store.db, accountId, target);
      const rows = await store.db
        .selectFrom('attachments')
        .leftJoin('policies', (j) =>
          j
            .onRef('policies.account_id', '=', 'attachments.account_id')
            .onRef('policies.name_key', '=', 'attachments.policy_key')
            .on('attachments.policy_type', '=', 'Custom'),
        )
        .select([
          'attachments.policy_type',
          'attachments.policy_key',
          'attachments.attach_date',
          'policies.policy_name',
          'policies.description',
          'policies.default_version',
        ])
        .where('attachments.account_id', '=', accountId)
        .where('attachments.principal_type', '=', t.principalType)
        .where('attachments.principal_id', '=', t.id)
        .orderBy('attachments.attach_date')
        .orderBy('attachments.policy_type')
        .orderBy('attachments.policy_key')
        .execute();
      const system = await systemPolicyIndex(ctx);
      const out: AttachedPolicy[] = [];
      for (const r of rows) {
        if (r.policy_type === 'System') {
          const p = system.get(r.policy_key);
          if (!p) continue; // a System policy withdrawn from the catalogue
          out.push({
            policyName: p.name,
            policyType: 'System',
            description: optionalText(p.description),
            defaultVersion: p.version,
            attachDate: r.attach_date,
          });
        } else if (r.policy_name) {
          out.push({
            policyName: r.policy_name,
            policyType: 'Custom',
            description: optionalText(r.description),
            defaultVersion: `v${r.default_version ?? 1}`,
            attachDate: r.attach_date,
          });
        }
      }
      return out;
    },

    async listEntities(accountId, policyType, policyName): Promise<PolicyEntities> {
      const name = await resolvePolicy(ctx, store.db, accountId, policyType, policyName);
      const key = nameKey(name);
      /** The attachments of the policy to principals of one kind. */
      const attachedTo = (principalType: 'user' | 'group' | 'role') =>
        store.db
          .selectFrom('attachments')
          .where('attachments.account_id', '=', accountId)
          .where('attachments.policy_type', '=', policyType)
          .where('attachments.policy_key', '=', key)
          .where('attachments.principal_type', '=', principalType);
      const users = await attachedTo('user')
        .innerJoin('users', (j) =>
          j
            .onRef('users.account_id', '=', 'attachments.account_id')
            .onRef('users.user_id', '=', 'attachments.principal_id'),
        )
        .select(['users.user_id', 'users.user_name', 'users.display_name', 'attachments.attach_date'])
        .orderBy('users.name_key')
        .execute();
      const groups = await attachedTo('group')
        .innerJoin('user_groups', (j) =>
          j
            .onRef('user_groups.account_id', '=', 'attachments.account_id')
            .onRef('user_groups.group_id', '=', 'attachments.principal_id'),
        )
        .select(['user_groups.group_name', 'user_groups.comments', 'attachments.attach_date'])
        .orderBy('user_groups.name_key')
        .execute();
      const roles = await attachedTo('role')
        .innerJoin('roles', (j) =>
          j
            .onRef('roles.account_id', '=', 'attachments.account_id')
            .onRef('roles.role_id', '=', 'attachments.principal_id'),
        )
        .select(['roles.role_id', 'roles.role_name', 'roles.description', 'attachments.attach_date'])
        .orderBy('roles.name_key')
        .execute();
      return {
        users: users.map((u) => ({
          userId: u.user_id,
          userName: u.user_name,
          displayName: optionalText(u.display_name),
          attachDate: u.attach_date,
        })),
        groups: groups.map((g) => ({
          groupName: g.group_name,
          comments: optionalText(g.comments),
          attachDate: g.attach_date,
        })),
        roles: roles.map((r) => ({
          roleId: r.role_id,
          roleName: r.role_name,
          arn: roleArn(accountId, r.role_name),
          description: optionalText(r.description),
          attachDate: r.attach_date,
        })),
      };
    },
  };
}
