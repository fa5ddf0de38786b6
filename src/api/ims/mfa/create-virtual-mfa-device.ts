import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { selfService, selfServiceOf } from '../../ram/caller.js';

/** The seed and its QR code are shown only here. Self-service covers one device of the caller's own. */
export default defineAction({
  service: 'ims',
  name: 'CreateVirtualMFADevice',
  params: params({ VirtualMFADeviceName: p.mfaDeviceName() }),
  authorize: (req) => ({
    action: 'ram:CreateVirtualMFADevice',
    resource: ramResource.mfa(req.accountId, req.params.VirtualMFADeviceName),
    ...selfService(req.principal, undefined, 'MFADevices'),
  }),
  handle: async (req, { domain }) => {
    const d = await domain.mfa.createVirtual(
      req.accountId,
      req.params.VirtualMFADeviceName,
      selfServiceOf(req, 'MFADevices'),
    );
    return {
      VirtualMFADevice: {
        SerialNumber: d.serialNumber,
        Base32StringSeed: d.base32StringSeed,
        QRCodePNG: d.qrCodePng,
      },
    };
  },
});
