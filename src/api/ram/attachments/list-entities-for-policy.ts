import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { policyEntitiesView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListEntitiesForPolicy',
  params: params({ PolicyName: p.policyName(), PolicyType: p.policyType() }),
  authorize: (req) => ({
    action: 'ram:ListEntitiesForPolicy',
    resource: ramResource.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
  }),
  handle: async (req, { domain }) =>
    policyEntitiesView(
      await domain.attachments.listEntities(req.accountId, req.params.PolicyType, req.params.PolicyName),
    ),
});
