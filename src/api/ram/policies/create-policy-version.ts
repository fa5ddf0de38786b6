import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyVersionView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreatePolicyVersion',
  params: params({
    PolicyName: p.policyName(),
    PolicyDocument: p.string(),
    SetAsDefault: p.bool().default(false),
    RotateStrategy: p
      .oneOf(['None', 'DeleteOldestNonDefaultVersionWhenLimitExceeded'] as const)
      .default('None'),
  }),
  authorize: (req) => ({
    action: 'ram:CreatePolicyVersion',
    resource: ramResource.policy(req.accountId, 'Custom', req.params.PolicyName),
  }),
  handle: async (req, { domain }) => ({
    PolicyVersion: policyVersionView(
      await domain.policies.createVersion(req.accountId, req.params.PolicyName, {
        policyDocument: req.params.PolicyDocument,
        setAsDefault: req.params.SetAsDefault,
        rotateStrategy: req.params.RotateStrategy,
      }),
    ),
  }),
});
