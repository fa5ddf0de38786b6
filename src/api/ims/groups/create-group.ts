import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { groupView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'CreateGroup',
  params: params({
    GroupName: p.groupName(),
    DisplayName: p.text(1, 24).optional(),
    Comments: p.text(0, 128).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreateGroup',
    resource: ramResource.group(req.accountId, req.params.GroupName),
  }),
  handle: async (req, { domain }) => ({
    Group: groupView(
      await domain.groups.create(req.accountId, {
        groupName: req.params.GroupName,
        displayName: req.params.DisplayName,
        comments: req.params.Comments,
      }),
    ),
  }),
});
