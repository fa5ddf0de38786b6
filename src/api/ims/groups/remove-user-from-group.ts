import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { resolveUserName, userPrincipalName } from '../principal.js';

export default defineAction({
  service: 'ims',
  name: 'RemoveUserFromGroup',
  params: params({ GroupName: p.groupName(), UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:RemoveUserFromGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    const userName = await resolveUserName(domain, req.accountId, req.params.UserPrincipalName);
    await domain.groups.removeUser(req.accountId, req.params.GroupName, userName);
    return {};
  },
});
