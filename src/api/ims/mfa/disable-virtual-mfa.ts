import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUserName, selfServiceFor, userPrincipalName, userRef } from '../principal.js';

/**
 * Turns a user's virtual MFA off: unbinds its device and deletes it in one write, both or
 * neither (authorized as ram:DisableVirtualMFA).
 */
export default defineAction({
  service: 'ims',
  name: 'DisableVirtualMFA',
  params: params({ UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:DisableVirtualMFA',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
    ...selfServiceFor(
      req.principal,
      { kind: 'user', userName: req.params.UserPrincipalName.userName },
      'MFADevices',
    ),
  }),
  handle: async (req, { domain }) => {
    const userName = await resolveUserName(domain, req.accountId, req.params.UserPrincipalName);
    await domain.mfa.disableVirtual(req.accountId, userName);
    return {};
  },
});
