import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'UpdatePolicyDescription',
  params: params({ PolicyName: p.policyName(), NewDescription: p.text(0, 1024) }),
  authorize: (req) => ({
    action: 'ram:UpdatePolicyDescription',
    resource: ramResource.policy(req.accountId, 'Custom', req.params.PolicyName),
  }),
  handle: async (req, { domain }) => ({
    Policy: policyView(
      await domain.policies.updateDescription(
        req.accountId,
        req.params.PolicyName,
        req.params.NewDescription,
      ),
    ),
  }),
});
