import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { toTagFilters } from './convert.js';
import { taggedResource, resourceType } from './shared.js';

export default defineAction({
  service: 'ram',
  name: 'ListTagResources',
  params: params({
    ResourceType: resourceType(),
    ResourceNames: p.resourceNames().optional(),
    Tag: p.tagFilters().optional(),
    NextToken: p.marker().optional(),
    PageSize: p.int(1, 100).default(50),
  }),
  authorize: (req) =>
    req.params.ResourceNames === undefined
      ? { action: 'ram:ListTagResources', resource: ramResource.all(req.accountId, req.params.ResourceType) }
      : req.params.ResourceNames.map((n) => ({
          action: 'ram:ListTagResources',
          resource: taggedResource(req.accountId, req.params.ResourceType, n),
        })),
  handle: async (req, { domain }) => {
    const page = await domain.tags.list(req.accountId, {
      resourceType: req.params.ResourceType,
      resourceNames: req.params.ResourceNames,
      tags: toTagFilters(req.params.Tag),
      nextToken: req.params.NextToken,
      pageSize: req.params.PageSize,
    });
    return {
      TagResources: page.items.map((t) => ({
        ResourceType: t.resourceType,
        ResourceName: t.resourceName,
        TagKey: t.tagKey,
        TagValue: t.tagValue,
      })),
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  },
});
