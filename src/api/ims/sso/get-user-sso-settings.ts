import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { userSsoSettingsView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'GetUserSsoSettings',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetUserSsoSettings', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    UserSsoSettings: userSsoSettingsView(await domain.ssoSettings.get(req.accountId)),
  }),
});
