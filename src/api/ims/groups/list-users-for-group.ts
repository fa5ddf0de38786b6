import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { memberView, pageView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListUsersForGroup',
  params: params({
    GroupName: p.groupName(),
    Marker: p.marker().optional(),
    MaxItems: p.maxItems(100).default(100),
  }),
  authorize: (req) => ({
    action: 'ram:ListUsersForGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) =>
    pageView(
      'Users',
      'User',
      await domain.groups.listUsers(req.accountId, req.params.GroupName, {
        marker: req.params.Marker,
        maxItems: req.params.MaxItems,
      }),
      memberView,
    ),
});
