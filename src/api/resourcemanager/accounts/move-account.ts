import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'MoveAccount',
  params: params({ AccountId: rmId(), DestinationFolderId: rmId() }),
  // Both the account and where it goes: the destination decides its control policies.
  authorize: (req) => [
    {
      action: 'resourcemanager:MoveAccount',
      resource: rmResource.account(req.accountId, req.params.AccountId),
    },
    {
      action: 'resourcemanager:MoveAccount',
      resource: rmResource.folder(req.accountId, req.params.DestinationFolderId),
    },
  ],
  handle: async (req, { domain }) => {
    await domain.resourceDirectory.moveAccount(
      req.accountId,
      req.params.AccountId,
      req.params.DestinationFolderId,
    );
    return {};
  },
});
