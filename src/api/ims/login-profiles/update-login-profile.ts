import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { resolveUser, userPrincipalName, userRef } from '../principal.js';
import { AUTO_DISABLE_LOGIN_STATUS, loginProfileView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'UpdateLoginProfile',
  params: params({
    UserPrincipalName: userPrincipalName(),
    Password: p.string(128).optional(),
    PasswordResetRequired: p.bool().optional(),
    MFABindRequired: p.bool().optional(),
    Status: p.keyStatus().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateLoginProfile',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    const user = await resolveUser(domain, req.accountId, req.params.UserPrincipalName);
    const profile = await domain.loginProfiles.update(req.accountId, user.userName, {
      password: req.params.Password,
      passwordResetRequired: req.params.PasswordResetRequired,
      mfaBindRequired: req.params.MFABindRequired,
      status: req.params.Status,
    });
    return {
      LoginProfile: {
        ...loginProfileView(profile, user.userPrincipalName),
        AutoDisableLoginStatus: AUTO_DISABLE_LOGIN_STATUS,
      },
    };
  },
});
