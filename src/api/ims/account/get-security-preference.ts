import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { securityPreferenceView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'GetSecurityPreference',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetSecurityPreference', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    SecurityPreference: securityPreferenceView(await domain.securityPreference.get(req.accountId)),
  }),
});
