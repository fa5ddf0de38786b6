import { p } from '../../params.js';
import type { Page, User } from '../../../domain/index.js';
import type { Domain } from '../../../domain/index.js';
import type { TagFilterParam } from '../../params.js';

/**
 * `Status` of ListUsers / ListUserBasicInfos: `active`, `freeze` or `active,freeze`. Rampart
 * users are never frozen, so `freeze` alone lists nothing.
 */
export const userStatus = () =>
  p.oneOf(['active', 'freeze', 'active,freeze', 'freeze,active'] as const).default('active');

/** One page of users, filtered by tags when given, and by status. */
export async function listUsersPage(
  domain: Domain,
  accountId: string,
  q: { Marker?: string; MaxItems: number; Status: string; Tag: readonly TagFilterParam[] },
): Promise<Page<User>> {
  if (q.Status === 'freeze') return { items: [], isTruncated: false };
  return domain.userTags.listUsers(accountId, {
    marker: q.Marker,
    maxItems: q.MaxItems,
    tags: q.Tag.map((t) =>
      t.Value === undefined ? { tagKey: t.Key } : { tagKey: t.Key, tagValue: t.Value },
    ),
  });
}
