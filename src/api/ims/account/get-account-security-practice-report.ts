import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';

/**
 * The account's security practices, read from the stored state at the call: whether the root
 * has MFA and AccessKeys, how many users have MFA, old (created more than 90 days ago) and
 * unused (not used for 90 days) user AccessKeys, how demanding the password policy is, and a
 * score (docs/ims-api.md gives its deductions).
 */
export default defineAction({
  service: 'ims',
  name: 'GetAccountSecurityPracticeReport',
  params: params({}),
  authorize: (req) => ({
    action: 'ram:GetAccountSecurityPracticeReport',
    resource: ramResource.account(req.accountId),
  }),
  handle: async (req, { domain }) => {
    const r = await domain.accountSummary.securityPractice(req.accountId);
    return {
      AccountSecurityPracticeInfo: {
        Score: r.score,
        AccountSecurityPracticeUserInfo: {
          BindMfa: r.rootMfa,
          RootWithAccessKey: r.rootAccessKeys,
          SubUser: r.users,
          SubUserBindMfa: r.usersWithMfa,
          SubUserPwdLevel: r.passwordLevel,
          OldAkNum: r.oldAccessKeys,
          SubUserWithOldAccessKey: r.usersWithOldAccessKey,
          UnusedAkNum: r.unusedAccessKeys,
          SubUserWithUnusedAccessKey: r.usersWithUnusedAccessKey,
        },
      },
    };
  },
});
