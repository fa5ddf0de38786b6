import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { toTags } from '../tags/convert.js';
import { createdPolicyView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreatePolicy',
  params: params({
    PolicyName: p.policyName(),
    PolicyDocument: p.string(),
    Description: p.text(1, 1024).optional(),
    Tag: p.tags().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreatePolicy',
    resource: ramResource.policy(req.accountId, 'Custom', req.params.PolicyName),
  }),
  handle: async (req, { domain }) => {
    const policy = await domain.policies.create(req.accountId, {
      policyName: req.params.PolicyName,
      policyDocument: req.params.PolicyDocument,
      description: req.params.Description,
      tags: toTags(req.params.Tag),
    });
    return { Policy: createdPolicyView(policy) };
  },
});
