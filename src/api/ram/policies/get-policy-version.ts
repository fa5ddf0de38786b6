import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyVersionView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetPolicyVersion',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType(), VersionId: p.versionId() }),
  authorize: (req) => ({
    action: 'ram:GetPolicyVersion',
    resource: ramResource.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
  }),
  handle: async (req, { domain }) => ({
    PolicyVersion: policyVersionView(
      await domain.policies.getVersion(
        req.accountId,
        req.params.PolicyType,
        req.params.PolicyName,
        req.params.VersionId,
      ),
    ),
  }),
});
