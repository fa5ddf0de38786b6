import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'RemoveCloudAccount',
  params: params({ AccountId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:RemoveCloudAccount',
    resource: rmResource.account(req.accountId, req.params.AccountId),
  }),
  handle: async (req, { domain }) => {
    await domain.resourceDirectory.removeAccount(req.accountId, req.params.AccountId);
    return {};
  },
});
