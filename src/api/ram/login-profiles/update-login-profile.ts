import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'UpdateLoginProfile',
  params: params({
    UserName: p.userName(),
    Password: p.string(128).optional(),
    PasswordResetRequired: p.bool().optional(),
    MFABindRequired: p.bool().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateLoginProfile',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => {
    await domain.loginProfiles.update(req.accountId, req.params.UserName, {
      password: req.params.Password,
      passwordResetRequired: req.params.PasswordResetRequired,
      mfaBindRequired: req.params.MFABindRequired,
    });
    return {};
  },
});
