import { defineAction } from '../../action.js';
import { missingParameter } from '../../../errors.js';
import { p, params } from '../../params.js';
import { taggedResource, resourceType } from './shared.js';

/** Removes the given tag keys, or every tag with All=true; authorized on each resource. */
export default defineAction({
  service: 'ram',
  name: 'UntagResources',
  params: params({
    ResourceType: resourceType(),
    ResourceNames: p.resourceNames(),
    TagKeys: p.tagKeys().optional(),
    All: p.bool().default(false),
  }),
  authorize: (req) =>
    req.params.ResourceNames.map((n) => ({
      action: 'ram:UntagResources',
      resource: taggedResource(req.accountId, req.params.ResourceType, n),
    })),
  handle: async (req, { domain }) => {
    if (!req.params.All && req.params.TagKeys === undefined) throw missingParameter('TagKeys');
    await domain.tags.untag(req.accountId, req.params.ResourceType, req.params.ResourceNames, {
      tagKeys: req.params.TagKeys,
      all: req.params.All,
    });
    return {};
  },
});
