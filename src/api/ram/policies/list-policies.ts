import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { toTagFilters } from '../tags/convert.js';
import { pageView, policyListItemView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListPolicies',
  params: params({
    PolicyType: p.policyType().optional(),
    Marker: p.marker().optional(),
    MaxItems: p.maxItems(1000).default(100),
    Tag: p.tagFilters().optional(),
  }),
  authorize: (req) => ({ action: 'ram:ListPolicies', resource: ramResource.all(req.accountId, 'policy') }),
  handle: async (req, { domain }) => {
    const page = await domain.policies.list(req.accountId, {
      policyType: req.params.PolicyType,
      marker: req.params.Marker,
      maxItems: req.params.MaxItems,
      tags: toTagFilters(req.params.Tag),
    });
    return pageView('Policies', 'Policy', page, policyListItemView);
  },
});
