import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'SetDefaultPolicyVersion',
  params: params({ PolicyName: p.policyName(), VersionId: p.versionId() }),
  authorize: (req) => ({
    action: 'ram:SetDefaultPolicyVersion',
    resource: ramResource.policy(req.accountId, 'Custom', req.params.PolicyName),
  }),
  handle: async (req, { domain }) => {
    await domain.policies.setDefaultVersion(req.accountId, req.params.PolicyName, req.params.VersionId);
    return {};
  },
});
