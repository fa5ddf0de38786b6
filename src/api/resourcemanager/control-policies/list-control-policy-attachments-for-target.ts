import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { controlPolicyAttachmentView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListControlPolicyAttachmentsForTarget',
  params: params({ TargetId: rmId(), Language: p.string(16).optional() }),
  authorize: (req) => ({
    action: 'resourcemanager:ListControlPolicyAttachmentsForTarget',
    resource: rmResource.target(req.accountId, req.params.TargetId),
  }),
  handle: async (req, { domain }) => {
    const list = await domain.controlPolicies.listForTarget(req.accountId, req.params.TargetId);
    return { ControlPolicyAttachments: { ControlPolicyAttachment: list.map(controlPolicyAttachmentView) } };
  },
});
