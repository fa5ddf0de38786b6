import type { RamResourceType } from '../arn.js';
import { hotQuery, type HotQuery, type Store } from '../store/index.js';
import type { DomainContext } from './context.js';
import { nameKey } from './common.js';
import { checkProviderName } from './federation-providers.js';
import { checkGroupName } from './groups.js';
import { checkMfaDeviceName } from './mfa.js';
import { checkPolicyName } from './policies.js';
import { checkRoleName } from './roles.js';
import { checkUserName } from './users.js';

/**
 * The stored spelling of an entity's name, found the way every look-up finds it (ignoring
 * case). Authorization builds ARNs from it, so `boss`, `BOSS` and `Boss` are one resource.
 */
export interface EntityNames {
  /**
   * The stored name of the entity of this type, or undefined when none exists (a name that
   * breaks the type's name rule names none, and is not looked up).
   */
  storedName(accountId: string, type: RamResourceType, name: string): Promise<string | undefined>;
  /** The catalogue's spelling of a System policy name, or undefined when there is none. */
  systemPolicyName(name: string): Promise<string | undefined>;
  /** The stored name of the user with this id, or owning this AccessKey, in the account (IMS). */
  userNameBy(accountId: string, by: 'userId' | 'accessKeyId', id: string): Promise<string | undefined>;
}

const USER_BY: Readonly<Record<'userId' | 'accessKeyId', HotQuery>> = {
  userId: hotQuery(
    'name_user_by_id',
    'select user_name as name from users where account_id = ? and user_id = ?',
  ),
  accessKeyId: hotQuery(
    'name_user_by_key',
    `select u.user_name as name from access_keys k join users u
      on u.account_id = k.account_id and u.user_id = k.user_id
      where k.account_id = ? and k.access_key_id = ?`,
  ),
};

/** One hot read per type: the stored name of the entity with this name key. */
const NAME_QUERIES: Readonly<Record<RamResourceType, HotQuery>> = {
  user: hotQuery('name_user', 'select user_name as name from users where account_id = ? and name_key = ?'),
  group: hotQuery(
    'name_group',
    'select group_name as name from user_groups where account_id = ? and name_key = ?',
  ),
  role: hotQuery('name_role', 'select role_name as name from roles where account_id = ? and name_key = ?'),
  policy: hotQuery(
    'name_policy',
    'select policy_name as name from policies where account_id = ? and name_key = ?',
  ),
  mfa: hotQuery(
    'name_mfa',
    'select device_name as name from mfa_devices where account_id = ? and name_key = ?',
  ),
  'saml-provider': hotQuery(
    'name_saml_provider',
    'select provider_name as name from saml_providers where account_id = ? and name_key = ?',
  ),
  'oidc-provider': hotQuery(
    'name_oidc_provider',
    'select provider_name as name from oidc_providers where account_id = ? and name_key = ?',
  ),
};

/** Each type's name rule, as its Create action checks it. */
const NAME_RULES: Readonly<Record<RamResourceType, (name: string) => void>> = {
  user: checkUserName,
  group: checkGroupName,
  role: checkRoleName,
  policy: checkPolicyName,
  mfa: checkMfaDeviceName,
  'saml-provider': (name) => checkProviderName(name, 'SAMLProviderName'),
  'oidc-provider': (name) => checkProviderName(name, 'OIDCProviderName'),
};

/**
 * Whether a name keeps the name rule of its entity type. One that breaks it (a NUL, a letter
 * of another script, too long) names no entity: callers answer it as one that does not exist,
 * without a look-up.
 */
export function isEntityName(type: RamResourceType, name: string): boolean {
  try {
    NAME_RULES[type](name);
    return true;
  } catch {
    return false;
  }
}

export function createEntityNames(
  ctx: Pick<DomainContext, 'engine'> & { readonly store: Store },
): EntityNames {
  let system: Map<string, string> | undefined;
  return {
    async storedName(accountId, type, name) {
      if (!isEntityName(type, name)) return undefined;
      const row = await ctx.store.first<{ name: string }>(NAME_QUERIES[type], [accountId, nameKey(name)]);
      return row?.name;
    },
    async userNameBy(accountId, by, id) {
      const row = await ctx.store.first<{ name: string }>(USER_BY[by], [accountId, id]);
      return row?.name;
    },
    async systemPolicyName(name) {
      system ??= new Map((await ctx.engine()).systemPolicies().map((p) => [nameKey(p.name), p.name]));
      return system.get(nameKey(name));
    },
  };
}
