import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { groupView, pageView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListGroups',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(100).default(100) }),
  authorize: (req) => ({ action: 'ram:ListGroups', resource: ramResource.all(req.accountId, 'group') }),
  handle: async (req, { domain }) => {
    const page = await domain.groups.list(req.accountId, {
      marker: req.params.Marker,
      maxItems: req.params.MaxItems,
    });
    return pageView('Groups', 'Group', page, groupView);
  },
});
