import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { keyOwner, selfService } from '../caller.js';
import { createdAccessKeyView } from '../views.js';

/**
 * A new AccessKey for the named RAM user; without UserName, for the calling RAM user, or
 * for the root account when the root calls (root keys are discouraged but supported).
 */
export default defineAction({
  service: 'ram',
  name: 'CreateAccessKey',
  params: params({ UserName: p.userName().optional() }),
  authorize: (req) => {
    const owner = keyOwner(req.principal, req.params.UserName);
    return {
      action: 'ram:CreateAccessKey',
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
      return {
        AccessKey: createdAccessKeyView(await domain.accessKeys.create(req.accountId, owner.userName)),
      };
    }
    const created = await domain.accounts.createRootAccessKey(req.accountId);
    const stored = (await domain.accessKeys.listRoot(req.accountId)).find(
      (k) => k.accessKeyId === created.accessKeyId,
    );
    return {
      AccessKey: {
        AccessKeyId: created.accessKeyId,
        AccessKeySecret: created.accessKeySecret,
        Status: stored?.status ?? 'Active',
        CreateDate: stored?.createDate ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
  },
});
