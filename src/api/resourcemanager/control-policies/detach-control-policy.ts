import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DetachControlPolicy',
  params: params({ PolicyId: rmId(), TargetId: rmId() }),
  // Both what is detached and where: a grant on one folder does not reach every policy.
  authorize: (req) => [
    {
      action: 'resourcemanager:DetachControlPolicy',
      resource: rmResource.target(req.accountId, req.params.TargetId),
    },
    {
      action: 'resourcemanager:DetachControlPolicy',
      resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
    },
  ],
  handle: async (req, { domain }) => {
    await domain.controlPolicies.detach(req.accountId, req.params.PolicyId, req.params.TargetId);
    return {};
  },
});
