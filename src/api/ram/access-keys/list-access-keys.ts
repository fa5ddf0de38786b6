import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { keyOwner, selfService } from '../caller.js';
import { accessKeyView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'ListAccessKeys',
  params: params({ UserName: p.userName().optional() }),
  authorize: (req) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    return {
      action: 'ram:ListAccessKeys',
      resource:
        owner.kind === 'user'
          ? ramResource.user(req.accountId, owner.userName)
          : ramResource.account(req.accountId),
      ...(owner.kind === 'user' ? selfService(req.principal, owner.userName, 'AccessKeys') : {}),
    };
  },
  handle: async (req, { domain }) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    const keys =
      owner.kind === 'user'
        ? await domain.accessKeys.list(req.accountId, owner.userName)
        : await domain.accessKeys.listRoot(req.accountId);
    return { AccessKeys: { AccessKey: keys.map(accessKeyView) } };
  },
});
