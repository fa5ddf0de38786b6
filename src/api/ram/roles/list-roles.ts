import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { toTagFilters } from '../tags/convert.js';
import { pageView, roleListItemView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListRoles',
  params: params({
    Marker: p.marker().optional(),
    MaxItems: p.maxItems(1000).default(100),
    Tag: p.tagFilters().optional(),
  }),
  authorize: (req) => ({ action: 'ram:ListRoles', resource: ramResource.all(req.accountId, 'role') }),
  handle: async (req, { domain }) => {
    const page = await domain.roles.list(req.accountId, {
      marker: req.params.Marker,
      maxItems: req.params.MaxItems,
      tags: toTagFilters(req.params.Tag),
    });
    return pageView('Roles', 'Role', page, roleListItemView);
  },
});
