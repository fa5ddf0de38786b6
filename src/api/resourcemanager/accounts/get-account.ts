import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { accountWithPathView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetAccount',
  params: params({ AccountId: rmId(), IncludeTags: p.bool().optional() }),
  authorize: (req) => ({
    action: 'resourcemanager:GetAccount',
    resource: rmResource.account(req.accountId, req.params.AccountId),
  }),
  handle: async (req, { domain }) => {
    const a = await domain.resourceDirectory.getAccount(req.accountId, req.params.AccountId);
    return { Account: { ...accountWithPathView(a), Tags: [] } };
  },
});
