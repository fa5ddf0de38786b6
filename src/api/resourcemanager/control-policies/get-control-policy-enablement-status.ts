import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetControlPolicyEnablementStatus',
  params: params({}),
  authorize: (req) => ({
    action: 'resourcemanager:GetControlPolicyEnablementStatus',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    return { EnablementStatus: await domain.controlPolicies.status(req.accountId) };
  },
});
