import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';

/** Starts building the account's credential report: STARTED, or INPROGRESS while one is being built. */
export default defineAction({
  service: 'ims',
  name: 'GenerateCredentialReport',
  params: params({}),
  authorize: (req) => ({
    action: 'ram:GenerateCredentialReport',
    resource: ramResource.account(req.accountId),
  }),
  handle: async (req, { domain }) => ({ State: await domain.credentialReports.generate(req.accountId) }),
});
