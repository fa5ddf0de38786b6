import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';

/** Whether the account's root has an MFA device. */
export default defineAction({
  service: 'ims',
  name: 'GetAccountMFAInfo',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetAccountMFAInfo', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    IsMFAEnable: await domain.accountSummary.rootMfaEnabled(req.accountId),
  }),
});
