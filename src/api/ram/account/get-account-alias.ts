import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'GetAccountAlias',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetAccountAlias', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({ AccountAlias: await domain.accounts.getAlias(req.accountId) }),
});
