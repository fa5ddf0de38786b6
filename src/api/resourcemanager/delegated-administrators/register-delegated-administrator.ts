import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'RegisterDelegatedAdministrator',
  params: params({ AccountId: rmId(), ServicePrincipal: p.string(128) }),
  authorize: (req) => ({
    action: 'resourcemanager:RegisterDelegatedAdministrator',
    resource: rmResource.account(req.accountId, req.params.AccountId),
  }),
  handle: async (req, { domain }) => {
    await domain.resourceDirectory.registerDelegatedAdmin(
      req.accountId,
      req.params.AccountId,
      req.params.ServicePrincipal,
    );
    return {};
  },
});
