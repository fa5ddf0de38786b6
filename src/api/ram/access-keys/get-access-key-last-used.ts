import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { keyOwner, selfService } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'GetAccessKeyLastUsed',
  params: params({ UserName: p.userName().optional(), UserAccessKeyId: p.accessKeyId() }),
  authorize: (req) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    return {
      action: 'ram:GetAccessKeyLastUsed',
      resource:
        owner.kind === 'user'
          ? ramResource.user(req.accountId, owner.userName)
          : ramResource.account(req.accountId),
      ...(owner.kind === 'user' ? selfService(req.principal, owner.userName, 'AccessKeys') : {}),
    };
  },
  handle: async (req, { domain }) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    const used =
      owner.kind === 'user'
        ? await domain.accessKeys.getLastUsed(req.accountId, owner.userName, req.params.UserAccessKeyId)
        : await domain.accessKeys.getRootLastUsed(req.accountId, req.params.UserAccessKeyId);
    return { AccessKeyLastUsed: used.lastUsedDate !== undefined ? { LastUsedDate: used.lastUsedDate } : {} };
  },
});
