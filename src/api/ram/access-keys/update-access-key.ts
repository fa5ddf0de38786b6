import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { keyOwner, selfService } from '../caller.js';

export default defineAction({
  service: 'ram',
  name: 'UpdateAccessKey',
  params: params({
    UserName: p.userName().optional(),
    UserAccessKeyId: p.accessKeyId(),
    Status: p.keyStatus(),
  }),
  authorize: (req) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    return {
      action: 'ram:UpdateAccessKey',
      resource:
        owner.kind === 'user'
          ? ramResource.user(req.accountId, owner.userName)
          : ramResource.account(req.accountId),
      ...(owner.kind === 'user' ? selfService(req.principal, owner.userName, 'AccessKeys') : {}),
    };
  },
  handle: async (req, { domain }) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    if (owner.kind === 'user') {
      await domain.accessKeys.updateStatus(
        req.accountId,
        owner.userName,
        req.params.UserAccessKeyId,
        req.params.Status,
      );
    } else {
      await domain.accessKeys.updateRootStatus(req.accountId, req.params.UserAccessKeyId, req.params.Status);
    }
    return {};
  },
});
