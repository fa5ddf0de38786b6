import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId, paging, pagingOf } from '../resources.js';
import { targetAttachmentView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListTargetAttachmentsForControlPolicy',
  params: params({ PolicyId: rmId(), ...paging }),
  authorize: (req) => ({
    action: 'resourcemanager:ListTargetAttachmentsForControlPolicy',
    resource: rmResource.controlPolicy(req.accountId, req.params.PolicyId),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.controlPolicies.listTargets(
      req.accountId,
      req.params.PolicyId,
      pagingOf(req.params),
    );
    return {
      TargetAttachments: { TargetAttachment: page.items.map(targetAttachmentView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
