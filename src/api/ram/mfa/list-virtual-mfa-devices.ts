import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../resources.js';
import { virtualMFADeviceView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListVirtualMFADevices',
  params: params({}),
  authorize: (req) => ({
    action: 'ram:ListVirtualMFADevices',
    resource: ramResource.all(req.accountId, 'mfa'),
  }),
  handle: async (req, { domain }) => ({
    VirtualMFADevices: {
      VirtualMFADevice: (await domain.mfa.listVirtual(req.accountId)).map(virtualMFADeviceView),
    },
  }),
});
