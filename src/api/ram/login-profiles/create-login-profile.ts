import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { loginProfileView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreateLoginProfile',
  params: params({
    UserName: p.userName(),
    Password: p.string(128),
    PasswordResetRequired: p.bool().default(false),
    MFABindRequired: p.bool().default(false),
  }),
  authorize: (req) => ({
    action: 'ram:CreateLoginProfile',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => {
    const profile = await domain.loginProfiles.create(req.accountId, req.params.UserName, {
      password: req.params.Password,
      passwordResetRequired: req.params.PasswordResetRequired,
      mfaBindRequired: req.params.MFABindRequired,
    });
    return { LoginProfile: loginProfileView(profile) };
  },
});
