import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { userDetailView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetUser',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:GetUser',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => ({
    User: userDetailView(await domain.users.get(req.accountId, req.params.UserName)),
  }),
});
