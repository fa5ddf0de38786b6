import type { RamResourceType } from '../arn.js';
import type { Store } from '../store/index.js';
import type { DomainContext } from './context.js';
import { nameKey } from './common.js';

/**
 * The stored spelling of an entity's name, found the way every look-up finds it (ignoring
 * case). Authorization builds ARNs from it, so `boss`, `BOSS` and `Boss` are one resource.
 */
export interface EntityNames {
  /** The stored name of the entity of this type, or undefined when none exists. */
  storedName(accountId: string, type: RamResourceType, name: string): Promise<string | undefined>;
  /** The catalogue's spelling of a System policy name, or undefined when there is none. */
  systemPolicyName(name: string): Promise<string | undefined>;
}

export function createEntityNames(
  ctx: Pick<DomainContext, 'engine'> & { readonly store: Store },
): EntityNames {
  const db = ctx.store.db;
  let system: Map<string, string> | undefined;
  return {
    async storedName(accountId, type, name) {
      const key = nameKey(name);
      let row: { name: string } | undefined;
      switch (type) {
        case 'user':
          row = await db
            .selectFrom('users')
            .select('user_name as name')
            .where('account_id', '=', accountId)
            .where('name_key', '=', key)
            .executeTakeFirst();
          break;
        case 'group':
          row = await db
            .selectFrom('user_groups')
            .select('group_name as name')
            .where('account_id', '=', accountId)
            .where('name_key', '=', key)
            .executeTakeFirst();
          break;
        case 'role':
          row = await db
            .selectFrom('roles')
            .select('role_name as name')
            .where('account_id', '=', accountId)
            .where('name_key', '=', key)
            .executeTakeFirst();
          break;
        case 'policy':
          row = await db
            .selectFrom('policies')
            .select('policy_name as name')
            .where('account_id', '=', accountId)
            .where('name_key', '=', key)
            .executeTakeFirst();
          break;
        case 'mfa':
          row = await db
            .selectFrom('mfa_devices')
            .select('device_name as name')
            .where('account_id', '=', accountId)
            .where('name_key', '=', key)
            .executeTakeFirst();
          break;
      }
      return row?.name;
    },
    async systemPolicyName(name) {
      system ??= new Map((await ctx.engine()).systemPolicies().map((p) => [nameKey(p.name), p.name]));
      return system.get(nameKey(name));
    },
  };
}
