import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { pageView, userView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListUsers',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(100) }),
  authorize: (req) => ({ action: 'ram:ListUsers', resource: ramResource.all(req.accountId, 'user') }),
  handle: async (req, { domain }) => {
    const page = await domain.users.list(req.accountId, {
      marker: req.params.Marker,
      maxItems: req.params.MaxItems,
    });
    return pageView('Users', 'User', page, userView);
  },
});
