import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DeleteControlPolicy',
  params: params({ PolicyId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:DeleteControlPolicy',
    resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
  }),
  handle: async (req, { domain }) => {
    await domain.controlPolicies.delete(req.accountId, req.params.PolicyId);
    return {};
  },
});
