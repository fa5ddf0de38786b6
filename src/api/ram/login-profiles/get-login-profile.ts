import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { loginProfileView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetLoginProfile',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:GetLoginProfile',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => ({
    LoginProfile: loginProfileView(await domain.loginProfiles.get(req.accountId, req.params.UserName)),
  }),
});
