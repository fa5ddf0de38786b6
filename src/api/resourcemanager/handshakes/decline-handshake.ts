import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { handshakeView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DeclineHandshake',
  params: params({ HandshakeId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:DeclineHandshake',
    resource: rmResource.handshake(req.accountId, req.params.HandshakeId),
  }),
  handle: async (req, { domain }) => {
    const h = await domain.resourceDirectory.declineHandshake(req.accountId, req.params.HandshakeId);
    return { Handshake: handshakeView(h) };
  },
});
