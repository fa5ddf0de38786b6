import { defineAction } from '../../action.js';
import { apiError } from '../../../errors.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { selfService } from '../../ram/caller.js';

/** A RAM user changes its own console password; any other caller: NotSupport.Account (as RAM). */
export default defineAction({
  service: 'ims',
  name: 'ChangePassword',
  params: params({ OldPassword: p.string(128), NewPassword: p.string(128) }),
  authorize: (req) => ({
    action: 'ram:ChangePassword',
    resource:
      req.principal.type === 'RAMUser'
        ? ramResource.user(req.accountId, req.principal.userName)
        : ramResource.account(req.accountId),
    ...selfService(req.principal, undefined, 'Password'),
  }),
  handle: async (req, { domain }) => {
    if (req.principal.type !== 'RAMUser') {
      throw apiError('NotSupport.Account', 'This method can be only invoked by sub user.');
    }
    await domain.loginProfiles.changePassword(
      req.accountId,
      req.principal.userName,
      req.params.OldPassword,
      req.params.NewPassword,
    );
    return {};
  },
});
