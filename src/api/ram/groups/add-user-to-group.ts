import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'AddUserToGroup',
  params: params({ GroupName: p.groupName(), UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:AddUserToGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    await domain.groups.addUser(req.accountId, req.params.GroupName, req.params.UserName);
    return {};
  },
});
