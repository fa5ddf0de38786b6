import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { selfService } from '../caller.js';

/** Binds a virtual MFA device to a user with two consecutive TOTP codes. */
export default defineAction({
  service: 'ram',
  name: 'BindMFADevice',
  params: params({
    UserName: p.userName(),
    SerialNumber: p.string(256),
    AuthenticationCode1: p.authenticationCode(),
    AuthenticationCode2: p.authenticationCode(),
  }),
  authorize: (req) => ({
    action: 'ram:BindMFADevice',
    resource: ramResource.user(req.accountId, req.params.UserName),
    ...selfService(req.principal, req.params.UserName, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    await domain.mfa.bind(
      req.accountId,
      req.params.UserName,
      req.params.SerialNumber,
      req.params.AuthenticationCode1,
      req.params.AuthenticationCode2,
    );
    return {};
  },
});
