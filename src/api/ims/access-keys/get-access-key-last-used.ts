import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';

/** When a key last signed a request (left out while it never did). */
export default defineAction({
  service: 'ims',
  name: 'GetAccessKeyLastUsed',
  params: params({ UserPrincipalName: userPrincipalName().optional(), UserAccessKeyId: p.accessKeyId() }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:GetAccessKeyLastUsed',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'AccessKeys'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    const id = req.params.UserAccessKeyId;
    const used =
      o.kind === 'user'
        ? await domain.accessKeys.getLastUsed(
            req.accountId,
            await ownerUserName(domain, req.accountId, o),
            id,
          )
        : await domain.accessKeys.getRootLastUsed(req.accountId, id);
    return { AccessKeyLastUsed: used.lastUsedDate !== undefined ? { LastUsedDate: used.lastUsedDate } : {} };
  },
});
