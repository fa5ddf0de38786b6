import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { resolveUserName, userPrincipalName } from '../principal.js';

/** Authorized on the group, as RAM's. */
export default defineAction({
  service: 'ims',
  name: 'AddUserToGroup',
  params: params({ GroupName: p.groupName(), UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:AddUserToGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    const userName = await resolveUserName(domain, req.accountId, req.params.UserPrincipalName);
    await domain.groups.addUser(req.accountId, req.params.GroupName, userName);
    return {};
  },
});
