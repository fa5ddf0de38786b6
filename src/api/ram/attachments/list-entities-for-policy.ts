import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { arn } from '../arn.js';
import { policyEntitiesView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListEntitiesForPolicy',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType() }),
  authorize: (req) => ({
    action: 'ram:ListEntitiesForPolicy',
    resource: arn.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
  }),
  handle: async (req, { domain }) =>
    policyEntitiesView(
      await domain.attachments.listEntities(req.accountId, req.params.PolicyType, req.params.PolicyName),
    ),
});
