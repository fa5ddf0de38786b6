import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { createdGroupView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreateGroup',
  params: params({ GroupName: p.groupName(), Comments: p.text(0, 128).optional() }),
  authorize: (req) => ({
    action: 'ram:CreateGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    const group = await domain.groups.create(req.accountId, {
      groupName: req.params.GroupName,
      comments: req.params.Comments,
    });
    return { Group: createdGroupView(group) };
  },
});
