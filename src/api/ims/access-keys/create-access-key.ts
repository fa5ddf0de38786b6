import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { owner, ownerResource, ownerUserName, selfServiceFor, userPrincipalName } from '../principal.js';

/**
 * A new AccessKey for the named user; without UserPrincipalName, for the calling RAM user, or
 * for the root when the root calls. The secret is shown only here.
 */
export default defineAction({
  service: 'ims',
  name: 'CreateAccessKey',
  params: params({ UserPrincipalName: userPrincipalName().optional() }),
  authorize: (req) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    return {
      action: 'ram:CreateAccessKey',
      resource: ownerResource(req.accountId, o),
      ...selfServiceFor(req.principal, o, 'AccessKeys'),
    };
  },
  handle: async (req, { domain }) => {
    const o = owner(req.principal, req.params.UserPrincipalName);
    if (o.kind === 'user') {
      const k = await domain.accessKeys.create(req.accountId, await ownerUserName(domain, req.accountId, o));
      return {
        AccessKey: {
          AccessKeyId: k.accessKeyId,
          AccessKeySecret: k.accessKeySecret,
          Status: k.status,
          CreateDate: k.createDate,
        },
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
