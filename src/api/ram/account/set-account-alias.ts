import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { arn } from '../arn.js';

export default defineAction({
  service: 'ram',
  name: 'SetAccountAlias',
  params: params({ AccountAlias: p.accountAlias() }),
  authorize: (req) => ({ action: 'ram:SetAccountAlias', resource: arn.account(req.accountId) }),
  handle: async (req, { domain }) => {
    await domain.accounts.setAlias(req.accountId, req.params.AccountAlias);
    return {};
  },
});
