import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { selfService } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'GetUserMFAInfo',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:GetUserMFAInfo',
    resource: ramResource.user(req.accountId, req.params.UserName),
    ...selfService(req.principal, req.params.UserName, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    const info = await domain.mfa.getUserMFAInfo(req.accountId, req.params.UserName);
    return { MFADevice: { SerialNumber: info.serialNumber, Type: info.type } };
  },
});
