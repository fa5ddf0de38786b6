import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../resources.js';
import { securityPreferenceView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetSecurityPreference',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetSecurityPreference', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    SecurityPreference: securityPreferenceView(await domain.securityPreference.get(req.accountId)),
  }),
});
