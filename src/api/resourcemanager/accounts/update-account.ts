import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { accountView } from '../views.js';
import { apiErrorWithStatus } from '../../../errors.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'UpdateAccount',
  params: params({
    AccountId: rmId(),
    NewDisplayName: p.string().optional(),
    NewAccountType: p.string(64).optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:UpdateAccount',
    resource: rmResource.account(req.accountId, req.params.AccountId),
  }),
  handle: async (req, { domain }) => {
    // Members are created in the directory (ResourceAccount); their type does not change.
    if (req.params.NewAccountType !== undefined && req.params.NewAccountType !== 'ResourceAccount') {
      throw apiErrorWithStatus(
        'UnsupportedOperation',
        400,
        'Changing the type of a member account is not supported by this deployment.',
      );
    }
    const a = await domain.resourceDirectory.updateAccount(
      req.accountId,
      req.params.AccountId,
      req.params.NewDisplayName,
    );
    return { Account: accountView(a) };
  },
});
