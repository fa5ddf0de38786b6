import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, paging, pagingOf } from '../resources.js';
import { controlPolicyView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListControlPolicies',
  params: params({
    PolicyType: p.oneOf(['System', 'Custom'] as const).optional(),
    Language: p.string(16).optional(),
    ...paging,
  }),
  authorize: (req) => ({
    action: 'resourcemanager:ListControlPolicies',
    resource: rmResource.controlPolicy(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.controlPolicies.list(
      req.accountId,
      req.params.PolicyType,
      pagingOf(req.params),
    );
    return {
      ControlPolicies: { ControlPolicy: page.items.map(controlPolicyView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
