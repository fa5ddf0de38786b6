import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { resolveUser, userPrincipalName, userRef } from '../principal.js';
import { loginProfileView } from '../views.js';

/** The console password of a user, checked against the password policy. */
export default defineAction({
  service: 'ims',
  name: 'CreateLoginProfile',
  params: params({
    UserPrincipalName: userPrincipalName(),
    Password: p.string(128),
    PasswordResetRequired: p.bool().default(false),
    MFABindRequired: p.bool().default(false),
    Status: p.keyStatus().default('Active'),
  }),
  authorize: (req) => ({
    action: 'ram:CreateLoginProfile',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    const user = await resolveUser(domain, req.accountId, req.params.UserPrincipalName);
    // One write: a profile asked for Inactive is never active, even for a moment.
    const profile = await domain.loginProfiles.create(req.accountId, user.userName, {
      password: req.params.Password,
      passwordResetRequired: req.params.PasswordResetRequired,
      mfaBindRequired: req.params.MFABindRequired,
      status: req.params.Status,
    });
    return { LoginProfile: loginProfileView(profile, user.userPrincipalName) };
  },
});
