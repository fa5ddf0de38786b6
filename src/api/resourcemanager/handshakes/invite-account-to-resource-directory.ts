import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource } from '../resources.js';
import { handshakeView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'InviteAccountToResourceDirectory',
  params: params({
    TargetType: p.oneOf(['Account', 'Email'] as const, 'InvalidParameter.TargetType'),
    TargetEntity: p.string(128),
    Note: p.string(1024).optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:InviteAccountToResourceDirectory',
    resource: rmResource.handshake(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const h = await domain.resourceDirectory.invite(req.accountId, {
      targetType: req.params.TargetType,
      targetEntity: req.params.TargetEntity,
      ...(req.params.Note !== undefined ? { note: req.params.Note } : {}),
    });
    return { Handshake: handshakeView(h) };
  },
});
