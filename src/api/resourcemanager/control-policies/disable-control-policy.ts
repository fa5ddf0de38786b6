import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DisableControlPolicy',
  params: params({}),
  authorize: (req) => ({
    action: 'resourcemanager:DisableControlPolicy',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    return { EnablementStatus: await domain.controlPolicies.disable(req.accountId) };
  },
});
