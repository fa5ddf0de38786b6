import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'SetAccountAlias',
  params: params({ AccountAlias: p.accountAlias() }),
  authorize: (req) => ({ action: 'ram:SetAccountAlias', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    await domain.accounts.setAlias(req.accountId, req.params.AccountAlias);
    return {};
  },
});
