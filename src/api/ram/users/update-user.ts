import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { userView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'UpdateUser',
  params: params({
    UserName: p.userName(),
    NewUserName: p.userName().optional(),
    NewDisplayName: p.text(1, 128).optional(),
    NewMobilePhone: p.mobilePhone().optional(),
    NewEmail: p.email().optional(),
    NewComments: p.text(0, 128).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateUser',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => {
    const user = await domain.users.update(req.accountId, req.params.UserName, {
      newUserName: req.params.NewUserName,
      newDisplayName: req.params.NewDisplayName,
      newMobilePhone: req.params.NewMobilePhone,
      newEmail: req.params.NewEmail,
      newComments: req.params.NewComments,
    });
    return { User: userView(user) };
  },
});
