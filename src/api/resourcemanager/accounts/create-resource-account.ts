import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { accountView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'CreateResourceAccount',
  params: params({
    DisplayName: p.string(),
    ParentFolderId: rmId().optional(),
    // It becomes the new account's alias: the alias rules, letters taken lower-case, and the
    // errors name AccountNamePrefix (docs/resource-directory.md).
    AccountNamePrefix: p.accountAlias().optional(),
    PayerAccountId: p.string(64).optional(),
    ResellAccountType: p.string(64).optional(),
    Tag: p.string().optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:CreateResourceAccount',
    resource: rmResource.account(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const a = await domain.resourceDirectory.createAccount(req.accountId, {
      displayName: req.params.DisplayName,
      ...(req.params.ParentFolderId !== undefined ? { parentFolderId: req.params.ParentFolderId } : {}),
      ...(req.params.AccountNamePrefix !== undefined
        ? { accountNamePrefix: req.params.AccountNamePrefix }
        : {}),
    });
    return { Account: accountView(a) };
  },
});
