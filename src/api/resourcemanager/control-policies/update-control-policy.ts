import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { controlPolicyView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'UpdateControlPolicy',
  params: params({
    PolicyId: rmId(),
    NewPolicyName: p.string().optional(),
    NewDescription: p.string().optional(),
    NewPolicyDocument: p.string().optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:UpdateControlPolicy',
    resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
  }),
  handle: async (req, { domain }) => {
    const c = await domain.controlPolicies.update(req.accountId, req.params.PolicyId, {
      ...(req.params.NewPolicyName !== undefined ? { newPolicyName: req.params.NewPolicyName } : {}),
      ...(req.params.NewDescription !== undefined ? { newDescription: req.params.NewDescription } : {}),
      ...(req.params.NewPolicyDocument !== undefined
        ? { newPolicyDocument: req.params.NewPolicyDocument }
        : {}),
    });
    return { ControlPolicy: controlPolicyView(c) };
  },
});
