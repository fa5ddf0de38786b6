import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyDetailView, policyVersionView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetPolicy',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType() }),
  authorize: (req) => ({
    action: 'ram:GetPolicy',
    resource: ramResource.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
  }),
  handle: async (req, { domain }) => {
    const { policy, defaultPolicyVersion } = await domain.policies.get(
      req.accountId,
      req.params.PolicyType,
      req.params.PolicyName,
    );
    return {
      Policy: policyDetailView(policy, defaultPolicyVersion.policyDocument),
      DefaultPolicyVersion: policyVersionView(defaultPolicyVersion),
    };
  },
});
