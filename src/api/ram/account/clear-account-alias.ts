import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'ClearAccountAlias',
  params: params({}),
  authorize: (req) => ({ action: 'ram:ClearAccountAlias', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    await domain.accounts.clearAlias(req.accountId);
    return {};
  },
});
