import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUserName, selfServiceFor, userPrincipalName, userRef } from '../principal.js';

/**
 * Turns a user's virtual MFA off: unbinds its device and deletes it (authorized as
 * ram:UnbindMFADevice and ram:DeleteVirtualMFADevice together, as ram:DisableVirtualMFA).
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
    const { serialNumber } = await domain.mfa.unbind(req.accountId, userName);
    await domain.mfa.deleteVirtual(req.accountId, serialNumber);
    return {};
  },
});
