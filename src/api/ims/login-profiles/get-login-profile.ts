import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUser, userPrincipalName, userRef } from '../principal.js';
import { AUTO_DISABLE_LOGIN_STATUS, loginProfileView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'GetLoginProfile',
  params: params({ UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:GetLoginProfile',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    const user = await resolveUser(domain, req.accountId, req.params.UserPrincipalName);
    const profile = await domain.loginProfiles.get(req.accountId, user.userName);
    return {
      LoginProfile: {
        ...loginProfileView(profile, user.userPrincipalName),
        AutoDisableLoginStatus: AUTO_DISABLE_LOGIN_STATUS,
        ...(user.lastLoginDate !== undefined ? { LastLoginTime: user.lastLoginDate } : {}),
      },
    };
  },
});
