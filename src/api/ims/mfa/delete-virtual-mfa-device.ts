import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { mfaDeviceNameOf, ramResource } from '../../ram/resources.js';
import { selfService, selfServiceOf } from '../../ram/caller.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteVirtualMFADevice',
  params: params({ SerialNumber: p.string(256) }),
  authorize: (req) => ({
    action: 'ram:DeleteVirtualMFADevice',
    resource: ramResource.mfa(req.accountId, mfaDeviceNameOf(req.params.SerialNumber)),
    ...selfService(req.principal, undefined, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    await domain.mfa.deleteVirtual(req.accountId, req.params.SerialNumber, selfServiceOf(req, 'MFADevices'));
    return {};
  },
});
