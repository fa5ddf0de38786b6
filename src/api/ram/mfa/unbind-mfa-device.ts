import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { selfService } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'UnbindMFADevice',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:UnbindMFADevice',
    resource: ramResource.user(req.accountId, req.params.UserName),
    ...selfService(req.principal, req.params.UserName, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    const { serialNumber } = await domain.mfa.unbind(req.accountId, req.params.UserName);
    return { MFADevice: { SerialNumber: serialNumber } };
  },
});
