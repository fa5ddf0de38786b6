import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { mfaDeviceNameOf, ramResource } from '../resources.js';
import { selfService, selfServiceOf } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'DeleteVirtualMFADevice',
  params: params({ SerialNumber: p.string(256) }),
  authorize: (req) => ({
    action: 'ram:DeleteVirtualMFADevice',
    resource: ramResource.mfa(req.accountId, mfaDeviceNameOf(req.params.SerialNumber)),
    // Self-service reaches only the caller's own unbound device (the domain checks whose it is).
    ...selfService(req.principal, undefined, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    await domain.mfa.deleteVirtual(req.accountId, req.params.SerialNumber, selfServiceOf(req, 'MFADevices'));
    return {};
  },
});
