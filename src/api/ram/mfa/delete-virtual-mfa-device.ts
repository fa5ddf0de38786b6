import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { arn, mfaDeviceNameOf } from '../arn.js';

export default defineAction({
  service: 'ram',
  name: 'DeleteVirtualMFADevice',
  params: params({ SerialNumber: p.string(256) }),
  authorize: (req) => ({
    action: 'ram:DeleteVirtualMFADevice',
    resource: arn.mfa(req.accountId, mfaDeviceNameOf(req.params.SerialNumber)),
  }),
  handle: async (req, { domain }) => {
    await domain.mfa.deleteVirtual(req.accountId, req.params.SerialNumber);
    return {};
  },
});
