import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUserName, userPrincipalName, userRef } from '../principal.js';
import { groupOfUserView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListGroupsForUser',
  params: params({ UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:ListGroupsForUser',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    const userName = await resolveUserName(domain, req.accountId, req.params.UserPrincipalName);
    return {
      Groups: { Group: (await domain.groups.listForUser(req.accountId, userName)).map(groupOfUserView) },
    };
  },
});
