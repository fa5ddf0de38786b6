import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { missingParameter } from '../../../errors.js';
import { readTags, withLists } from '../flat.js';
import { readResources, resourceType, userIds, userTargets } from './shared.js';

/** Adds or overwrites tags on users; authorized on each user. */
export default defineAction({
  service: 'ims',
  name: 'TagResources',
  params: withLists(params({ ResourceType: resourceType() }), (raw) => {
    const resources = readResources(raw);
    if (resources.ResourcePrincipalName.length + resources.ResourceId.length === 0) {
      throw missingParameter('ResourcePrincipalName');
    }
    const Tag = readTags(raw);
    if (Tag.length === 0) throw missingParameter('Tag');
    return { ...resources, Tag };
  }),
  authorize: (req) => userTargets(req.accountId, 'ram:TagResources', req.params),
  handle: async (req, { domain }) => {
    const ids = await userIds(domain, req.accountId, req.params);
    await domain.userTags.tag(
      req.accountId,
      ids,
      req.params.Tag.map((t) => ({ tagKey: t.Key, tagValue: t.Value })),
    );
    return {};
  },
});
