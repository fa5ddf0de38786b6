import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, paging, pagingOf } from '../resources.js';
import { handshakeView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListHandshakesForResourceDirectory',
  params: params({ ...paging }),
  authorize: (req) => ({
    action: 'resourcemanager:ListHandshakesForResourceDirectory',
    resource: rmResource.handshake(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listHandshakesForDirectory(
      req.accountId,
      pagingOf(req.params),
    );
    return {
      Handshakes: { Handshake: page.items.map(handshakeView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
