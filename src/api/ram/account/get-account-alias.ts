import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { arn } from '../arn.js';

export default defineAction({
  service: 'ram',
  name: 'GetAccountAlias',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetAccountAlias', resource: arn.account(req.accountId) }),
  handle: async (req, { domain }) => ({ AccountAlias: await domain.accounts.getAlias(req.accountId) }),
});
