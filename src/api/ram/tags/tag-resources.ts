import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { toTags } from './convert.js';
import { taggedResource, resourceType } from './shared.js';

/** Adds or overwrites tags on roles or custom policies; authorized on each resource. */
export default defineAction({
  service: 'ram',
  name: 'TagResources',
  params: params({ ResourceType: resourceType(), ResourceNames: p.resourceNames(), Tag: p.tags() }),
  authorize: (req) =>
    req.params.ResourceNames.map((n) => ({
      action: 'ram:TagResources',
      resource: taggedResource(req.accountId, req.params.ResourceType, n),
    })),
  handle: async (req, { domain }) => {
    await domain.tags.tag(
      req.accountId,
      req.params.ResourceType,
      req.params.ResourceNames,
      toTags(req.params.Tag) ?? [],
    );
    return {};
  },
});
