import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource } from '../resources.js';
import { controlPolicyView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'CreateControlPolicy',
  params: params({
    PolicyName: p.string(),
    Description: p.string().optional(),
    EffectScope: p.string(),
    PolicyDocument: p.string(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:CreateControlPolicy',
    resource: rmResource.controlPolicy(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const c = await domain.controlPolicies.create(req.accountId, {
      policyName: req.params.PolicyName,
      ...(req.params.Description !== undefined ? { description: req.params.Description } : {}),
      effectScope: req.params.EffectScope,
      policyDocument: req.params.PolicyDocument,
    });
    return { ControlPolicy: controlPolicyView(c) };
  },
});
