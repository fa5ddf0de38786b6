import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { groupOfUserView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListGroupsForUser',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:ListGroupsForUser',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => ({
    Groups: {
      Group: (await domain.groups.listForUser(req.accountId, req.params.UserName)).map(groupOfUserView),
    },
  }),
});
