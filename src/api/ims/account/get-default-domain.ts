import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { apiError } from '../../../errors.js';

/** `<alias>.onaliyun.com`, or `<account id>.onaliyun.com` without an alias. */
export default defineAction({
  service: 'ims',
  name: 'GetDefaultDomain',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetDefaultDomain', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const account = await domain.accounts.get(req.accountId);
    if (!account) throw apiError('InvalidParameter', `The account does not exist: ${req.accountId}.`);
    return { DefaultDomainName: account.defaultDomain };
  },
});
