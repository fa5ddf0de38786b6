import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { readTagFilters, withLists } from '../flat.js';
import { readResources, resourceType, userIds, userTargets } from './shared.js';

/**
 * The tags of the named users (authorized on each), or of every tagged user (authorized on
 * `user/*`), optionally only the tags matching Tag.N; NextToken paging.
 */
export default defineAction({
  service: 'ims',
  name: 'ListTagResources',
  params: withLists(
    params({
      ResourceType: resourceType(),
      NextToken: p.marker().optional(),
      PageSize: p.int(1, 100).default(50),
    }),
    (raw) => ({ ...readResources(raw), Tag: readTagFilters(raw) }),
  ),
  authorize: (req) => {
    const targets = userTargets(req.accountId, 'ram:ListTagResources', req.params);
    return targets.length > 0
      ? targets
      : { action: 'ram:ListTagResources', resource: ramResource.all(req.accountId, 'user') };
  },
  handle: async (req, { domain }) => {
    const q = req.params;
    const named = q.ResourcePrincipalName.length + q.ResourceId.length > 0;
    const page = await domain.userTags.list(req.accountId, {
      ...(named ? { userIds: await userIds(domain, req.accountId, q) } : {}),
      tags: q.Tag.map((t) =>
        t.Value === undefined ? { tagKey: t.Key } : { tagKey: t.Key, tagValue: t.Value },
      ),
      nextToken: q.NextToken,
      pageSize: q.PageSize,
    });
    return {
      TagResources: {
        TagResource: page.items.map((t) => ({
          ResourceType: 'user',
          ResourceId: t.userId,
          TagKey: t.tagKey,
          TagValue: t.tagValue,
        })),
      },
      IsTruncated: page.nextToken !== undefined,
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  },
});
