import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { securityPreferenceView } from '../views.js';

/** Parameters left out keep their current value. */
export default defineAction({
  service: 'ram',
  name: 'SetSecurityPreference',
  params: params({
    EnableSaveMFATicket: p.bool().optional(),
    AllowUserToChangePassword: p.bool().optional(),
    AllowUserToManageAccessKeys: p.bool().optional(),
    AllowUserToManageMFADevices: p.bool().optional(),
    AllowUserToManagePublicKeys: p.bool().optional(),
    LoginSessionDuration: p.int(1, 24).optional(),
    LoginNetworkMasks: p.string(512).optional(),
  }),
  authorize: (req) => ({ action: 'ram:SetSecurityPreference', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const q = req.params;
    const pref = await domain.securityPreference.set(req.accountId, {
      enableSaveMFATicket: q.EnableSaveMFATicket,
      allowUserToChangePassword: q.AllowUserToChangePassword,
      allowUserToManageAccessKeys: q.AllowUserToManageAccessKeys,
      allowUserToManageMFADevices: q.AllowUserToManageMFADevices,
      allowUserToManagePublicKeys: q.AllowUserToManagePublicKeys,
      loginSessionDuration: q.LoginSessionDuration,
      loginNetworkMasks: q.LoginNetworkMasks,
    });
    return { SecurityPreference: securityPreferenceView(pref) };
  },
});
