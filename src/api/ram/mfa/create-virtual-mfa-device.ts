import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { selfService, selfServiceOf } from '../caller.js';
import { createdVirtualMFADeviceView } from '../views.js';

/**
 * The answer carries the TOTP seed and its QR code: the only time they are ever shown.
 * Self-service (AllowUserToManageMFADevices, no policy) covers one device of the caller's own.
 */
export default defineAction({
  service: 'ram',
  name: 'CreateVirtualMFADevice',
  params: params({ VirtualMFADeviceName: p.mfaDeviceName() }),
  authorize: (req) => ({
    action: 'ram:CreateVirtualMFADevice',
    resource: ramResource.mfa(req.accountId, req.params.VirtualMFADeviceName),
    ...selfService(req.principal, undefined, 'MFADevices'),
  }),
  handle: async (req, { domain }) => ({
    VirtualMFADevice: createdVirtualMFADeviceView(
      await domain.mfa.createVirtual(
        req.accountId,
        req.params.VirtualMFADeviceName,
        selfServiceOf(req, 'MFADevices'),
      ),
    ),
  }),
});
