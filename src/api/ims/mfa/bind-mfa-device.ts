import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { resolveUserName, selfServiceFor, userPrincipalName, userRef } from '../principal.js';

/** Binds a virtual MFA device to a user with two consecutive TOTP codes. */
export default defineAction({
  service: 'ims',
  name: 'BindMFADevice',
  params: params({
    UserPrincipalName: userPrincipalName(),
    SerialNumber: p.string(256),
    AuthenticationCode1: p.authenticationCode(),
    AuthenticationCode2: p.authenticationCode(),
  }),
  authorize: (req) => ({
    action: 'ram:BindMFADevice',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
    ...selfServiceFor(
      req.principal,
      { kind: 'user', userName: req.params.UserPrincipalName.userName },
      'MFADevices',
    ),
  }),
  handle: async (req, { domain }) => {
    await domain.mfa.bind(
      req.accountId,
      await resolveUserName(domain, req.accountId, req.params.UserPrincipalName),
      req.params.SerialNumber,
      req.params.AuthenticationCode1,
      req.params.AuthenticationCode2,
    );
    return {};
  },
});
