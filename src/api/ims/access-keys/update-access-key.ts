import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';

export default defineAction({
  service: 'ims',
  name: 'UpdateAccessKey',
  params: params({
    UserPrincipalName: userPrincipalName().optional(),
    UserAccessKeyId: p.accessKeyId(),
    Status: p.keyStatus(),
  }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:UpdateAccessKey',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'AccessKeys'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    const { UserAccessKeyId: id, Status: status } = req.params;
    if (o.kind === 'user') {
      const userName = await ownerUserName(domain, req.accountId, o);
      await domain.accessKeys.updateStatus(req.accountId, userName, id, status);
    } else {
      await domain.accessKeys.updateRootStatus(req.accountId, id, status);
    }
    return {};
  },
});
