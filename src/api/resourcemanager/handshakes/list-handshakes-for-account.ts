import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, paging, pagingOf } from '../resources.js';
import { handshakeView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListHandshakesForAccount',
  params: params({ ...paging }),
  authorize: (req) => ({
    action: 'resourcemanager:ListHandshakesForAccount',
    resource: rmResource.handshake(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listHandshakesForAccount(req.accountId, pagingOf(req.params));
    return {
      Handshakes: { Handshake: page.items.map(handshakeView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
