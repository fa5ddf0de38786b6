import type { Domain } from '../../../domain/index.js';
import type { AuthorizationTarget } from '../../action.js';
import { invalidParameter } from '../../../errors.js';
import { p } from '../../params.js';
import { readList } from '../flat.js';
import {
  resolveUser,
  resolveUserById,
  userId,
  userPrincipalName,
  userRef,
  userRefBy,
  type PrincipalName,
} from '../principal.js';

/** IMS tags users only: ResourceType `user`. */
export const resourceType = () => p.oneOf(['user'] as const);

const MAX_RESOURCES = 50;
const upn = userPrincipalName();
const id = userId();

/** `ResourcePrincipalName.N` and `ResourceId.N` (user ids): up to 50 users in all. */
export function readResources(raw: Readonly<Record<string, string>>): {
  ResourcePrincipalName: PrincipalName[];
  ResourceId: string[];
} {
  const names = readList(raw, 'ResourcePrincipalName', MAX_RESOURCES, (v, param) => upn.read(param, v).upn);
  const ids = readList(raw, 'ResourceId', MAX_RESOURCES, (v, param) => id.read(param, v));
  if (names.length + ids.length > MAX_RESOURCES) {
    throw invalidParameter(
      'ResourceId',
      `and ResourcePrincipalName MUST name at most ${MAX_RESOURCES} users.`,
    );
  }
  return { ResourcePrincipalName: names.map((n) => upn.read('ResourcePrincipalName', n)), ResourceId: ids };
}

/** One target per named user. */
export function userTargets(
  accountId: string,
  action: string,
  q: { ResourcePrincipalName: readonly PrincipalName[]; ResourceId: readonly string[] },
): AuthorizationTarget[] {
  return [
    ...q.ResourcePrincipalName.map((n) => ({ action, resource: userRef(accountId, n) })),
    ...q.ResourceId.map((i) => ({ action, resource: userRefBy(accountId, 'userId', i) })),
  ];
}

/** The ids of the named users (EntityNotExist.User for any unknown). */
export async function userIds(
  domain: Domain,
  accountId: string,
  q: { ResourcePrincipalName: readonly PrincipalName[]; ResourceId: readonly string[] },
): Promise<string[]> {
  const out: string[] = [];
  for (const n of q.ResourcePrincipalName) out.push((await resolveUser(domain, accountId, n)).userId);
  for (const i of q.ResourceId) out.push((await resolveUserById(domain, accountId, i)).userId);
  return [...new Set(out)];
}
