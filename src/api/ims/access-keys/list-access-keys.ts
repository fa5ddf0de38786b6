import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';
import { accessKeyView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListAccessKeys',
  params: params({ UserPrincipalName: userPrincipalName().optional() }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:ListAccessKeys',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'AccessKeys'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    const keys =
      o.kind === 'user'
        ? await domain.accessKeys.list(req.accountId, await ownerUserName(domain, req.accountId, o))
        : await domain.accessKeys.listRoot(req.accountId);
    return { AccessKeys: { AccessKey: keys.map(accessKeyView) } };
  },
});
