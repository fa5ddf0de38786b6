import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { arn } from '../arn.js';
import { policyVersionView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListPolicyVersions',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType() }),
  authorize: (req) => ({
    action: 'ram:ListPolicyVersions',
    resource: arn.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
  }),
  handle: async (req, { domain }) => {
    const versions = await domain.policies.listVersions(
      req.accountId,
      req.params.PolicyType,
      req.params.PolicyName,
    );
    return { PolicyVersions: { PolicyVersion: versions.map(policyVersionView) } };
  },
});
