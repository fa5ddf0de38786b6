import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { groupView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'UpdateGroup',
  params: params({
    GroupName: p.groupName(),
    NewGroupName: p.groupName().optional(),
    NewComments: p.text(0, 128).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => {
    const group = await domain.groups.update(req.accountId, req.params.GroupName, {
      newGroupName: req.params.NewGroupName,
      newComments: req.params.NewComments,
    });
    return { Group: groupView(group) };
  },
});
