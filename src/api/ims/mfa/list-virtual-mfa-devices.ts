import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { decodeMarker, encodeMarker, nameKey } from '../../../domain/common.js';
import { virtualMFADeviceView } from '../views.js';

/** Devices by name ignoring case, with the bound user by principal name; Marker paging. */
export default defineAction({
  service: 'ims',
  name: 'ListVirtualMFADevices',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(100) }),
  authorize: (req) => ({
    action: 'ram:ListVirtualMFADevices',
    resource: ramResource.all(req.accountId, 'mfa'),
  }),
  handle: async (req, { domain }) => {
    const after = decodeMarker(req.params.Marker);
    const all = (await domain.mfa.listVirtual(req.accountId)).filter(
      (d) => after === undefined || nameKey(d.virtualMFADeviceName) > after,
    );
    const items = all.slice(0, req.params.MaxItems);
    const truncated = all.length > items.length;
    const domainName = (await domain.accounts.get(req.accountId))?.defaultDomain ?? '';
    return {
      VirtualMFADevices: { VirtualMFADevice: items.map((d) => virtualMFADeviceView(d, domainName)) },
      IsTruncated: truncated,
      ...(truncated ? { Marker: encodeMarker(nameKey(items[items.length - 1]!.virtualMFADeviceName)) } : {}),
    };
  },
});
