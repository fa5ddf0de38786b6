import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { createdUserView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreateUser',
  params: params({
    UserName: p.userName(),
    DisplayName: p.text(1, 128).optional(),
    MobilePhone: p.mobilePhone().optional(),
    Email: p.email().optional(),
    Comments: p.text(0, 128).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreateUser',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => {
    const user = await domain.users.create(req.accountId, {
      userName: req.params.UserName,
      displayName: req.params.DisplayName,
      mobilePhone: req.params.MobilePhone,
      email: req.params.Email,
      comments: req.params.Comments,
    });
    return { User: createdUserView(user) };
  },
});
