import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteAccessKey',
  params: params({ UserPrincipalName: userPrincipalName().optional(), UserAccessKeyId: p.accessKeyId() }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:DeleteAccessKey',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'AccessKeys'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    if (o.kind === 'user') {
      const userName = await ownerUserName(domain, req.accountId, o);
      await domain.accessKeys.delete(req.accountId, userName, req.params.UserAccessKeyId);
    } else {
      await domain.accessKeys.deleteRoot(req.accountId, req.params.UserAccessKeyId);
    }
    return {};
  },
});
