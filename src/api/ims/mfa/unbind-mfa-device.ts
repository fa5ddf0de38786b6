import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUserName, selfServiceFor, userPrincipalName, userRef } from '../principal.js';

export default defineAction({
  service: 'ims',
  name: 'UnbindMFADevice',
  params: params({ UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:UnbindMFADevice',
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
    return { MFADevice: { SerialNumber: serialNumber } };
  },
});
