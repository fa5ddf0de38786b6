import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { handshakeDetailView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetHandshake',
  params: params({ HandshakeId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:GetHandshake',
    resource: rmResource.handshake(req.accountId, req.params.HandshakeId),
  }),
  handle: async (req, { domain }) => {
    const h = await domain.resourceDirectory.getHandshake(req.accountId, req.params.HandshakeId);
    return { Handshake: handshakeDetailView(h) };
  },
});
