import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { groupView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'UpdateGroup',
  params: params({
    GroupName: p.groupName(),
    NewGroupName: p.groupName().optional(),
    NewDisplayName: p.text(1, 24).optional(),
    NewComments: p.text(0, 128).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => ({
    Group: groupView(
      await domain.groups.update(req.accountId, req.params.GroupName, {
        newGroupName: req.params.NewGroupName,
        newDisplayName: req.params.NewDisplayName,
        newComments: req.params.NewComments,
      }),
    ),
  }),
});
