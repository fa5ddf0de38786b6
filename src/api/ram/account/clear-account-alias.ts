import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { arn } from '../arn.js';

export default defineAction({
  service: 'ram',
  name: 'ClearAccountAlias',
  params: params({}),
  authorize: (req) => ({ action: 'ram:ClearAccountAlias', resource: arn.account(req.accountId) }),
  handle: async (req, { domain }) => {
    await domain.accounts.clearAlias(req.accountId);
    return {};
  },
});
