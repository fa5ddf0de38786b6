import { defineAction } from '../../action.js';
import { missingParameter, p, params } from '../../params.js';
import { arn } from '../arn.js';
import { keyOwner, selfService } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'GetAccessKeyLastUsed',
  params: params({ UserName: p.userName().optional(), UserAccessKeyId: p.accessKeyId() }),
  authorize: (req) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    return {
      action: 'ram:GetAccessKeyLastUsed',
      resource: owner.kind === 'user' ? arn.user(req.accountId, owner.userName) : arn.account(req.accountId),
      ...(owner.kind === 'user' ? selfService(req.principal, owner.userName, 'AccessKeys') : {}),
    };
  },
  handle: async (req, { domain }) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    // The last use of root keys is not recorded per key yet: a root caller names a user.
    if (owner.kind === 'root') throw missingParameter('UserName');
    const used = await domain.accessKeys.getLastUsed(
      req.accountId,
      owner.userName,
      req.params.UserAccessKeyId,
    );
    return { AccessKeyLastUsed: used.lastUsedDate !== undefined ? { LastUsedDate: used.lastUsedDate } : {} };
  },
});
