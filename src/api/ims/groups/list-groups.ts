import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { groupView, pageView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListGroups',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(100).default(100) }),
  authorize: (req) => ({ action: 'ram:ListGroups', resource: ramResource.all(req.accountId, 'group') }),
  handle: async (req, { domain }) =>
    pageView(
      'Groups',
      'Group',
      await domain.groups.list(req.accountId, { marker: req.params.Marker, maxItems: req.params.MaxItems }),
      groupView,
    ),
});
