import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { controlPolicyView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetControlPolicy',
  params: params({ PolicyId: rmId(), Language: p.string(16).optional() }),
  authorize: (req) => ({
    action: 'resourcemanager:GetControlPolicy',
    resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
  }),
  handle: async (req, { domain }) => {
    const c = await domain.controlPolicies.get(req.accountId, req.params.PolicyId);
    return { ControlPolicy: { ...controlPolicyView(c), PolicyDocument: c.document } };
  },
});
