import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { resolveUserName, userPrincipalName, userRef } from '../principal.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteLoginProfile',
  params: params({ UserPrincipalName: userPrincipalName() }),
  authorize: (req) => ({
    action: 'ram:DeleteLoginProfile',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    await domain.loginProfiles.delete(
      req.accountId,
      await resolveUserName(domain, req.accountId, req.params.UserPrincipalName),
    );
    return {};
  },
});
