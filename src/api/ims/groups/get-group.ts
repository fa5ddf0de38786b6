import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { groupView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'GetGroup',
  params: params({ GroupName: p.groupName() }),
  authorize: (req) => ({
    action: 'ram:GetGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => ({
    Group: groupView(await domain.groups.get(req.accountId, req.params.GroupName)),
  }),
});
