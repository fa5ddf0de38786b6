import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteGroup',
  params: params({ GroupName: p.groupName() }),
  authorize: (req) => ({
    action: 'ram:DeleteGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    await domain.groups.delete(req.accountId, req.params.GroupName);
    return {};
  },
});
