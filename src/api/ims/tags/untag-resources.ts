import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { missingParameter } from '../../../errors.js';
import { readList, withLists } from '../flat.js';
import { readResources, resourceType, userIds, userTargets } from './shared.js';

/** Removes the given tag keys from users, or every tag with All=true. */
export default defineAction({
  service: 'ims',
  name: 'UntagResources',
  params: withLists(params({ ResourceType: resourceType(), All: p.bool().default(false) }), (raw) => {
    const resources = readResources(raw);
    if (resources.ResourcePrincipalName.length + resources.ResourceId.length === 0) {
      throw missingParameter('ResourcePrincipalName');
    }
    return { ...resources, TagKey: readList(raw, 'TagKey', 20, (v) => v) };
  }),
  authorize: (req) => userTargets(req.accountId, 'ram:UntagResources', req.params),
  handle: async (req, { domain }) => {
    const ids = await userIds(domain, req.accountId, req.params);
    await domain.userTags.untag(req.accountId, ids, { tagKeys: req.params.TagKey, all: req.params.All });
    return {};
  },
});
