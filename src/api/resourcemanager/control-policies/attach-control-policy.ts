import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'AttachControlPolicy',
  params: params({ PolicyId: rmId(), TargetId: rmId() }),
  // Both what is attached and where: a grant on one folder does not reach every policy.
  authorize: (req) => [
    {
      action: 'resourcemanager:AttachControlPolicy',
      resource: rmResource.target(req.accountId, req.params.TargetId),
    },
    {
      action: 'resourcemanager:AttachControlPolicy',
      resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
    },
  ],
  handle: async (req, { domain }) => {
    await domain.controlPolicies.attach(req.accountId, req.params.PolicyId, req.params.TargetId);
    return {};
  },
});
