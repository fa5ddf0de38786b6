import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'DeletePolicy',
  params: params({ PolicyName: p.policyName(), CascadingDelete: p.bool().default(false) }),
  authorize: (req) => ({
    action: 'ram:DeletePolicy',
    resource: ramResource.policy(req.accountId, 'Custom', req.params.PolicyName),
  }),
  handle: async (req, { domain }) => {
    await domain.policies.delete(req.accountId, req.params.PolicyName, {
      cascadingDelete: req.params.CascadingDelete,
    });
    return {};
  },
});
