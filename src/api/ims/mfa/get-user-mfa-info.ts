import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ApiError } from '../../../errors.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';

/**
 * Whether a user (the caller without UserPrincipalName; the root has no MFA device) has an MFA
 * device bound: IsMFAEnable false, without MFADevice, when none is.
 */
export default defineAction({
  service: 'ims',
  name: 'GetUserMFAInfo',
  params: params({ UserPrincipalName: userPrincipalName().optional() }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:GetUserMFAInfo',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'MFADevices'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    if (o.kind === 'root') return { IsMFAEnable: await domain.accountSummary.rootMfaEnabled(req.accountId) };
    const userName = await ownerUserName(domain, req.accountId, o);
    try {
      const info = await domain.mfa.getUserMFAInfo(req.accountId, userName);
      return { IsMFAEnable: true, MFADevice: { SerialNumber: info.serialNumber, Type: info.type } };
    } catch (e) {
      if (e instanceof ApiError && e.code === 'EntityNotExist.User.MFADevice') return { IsMFAEnable: false };
      throw e;
    }
  },
});
