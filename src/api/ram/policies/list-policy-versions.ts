import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyVersionView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListPolicyVersions',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType() }),
  authorize: (req) => ({
    action: 'ram:ListPolicyVersions',
    resource: ramResource.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
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
