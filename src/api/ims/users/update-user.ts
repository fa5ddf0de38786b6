import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { apiError, missingParameter } from '../../../errors.js';
import { resolveUser, resolveUserById, userId, userPrincipalName, userRef, userRefBy } from '../principal.js';
import { updatedUserView } from '../views.js';

/**
 * Updates a user named by UserPrincipalName or UserId. NewUserPrincipalName renames it (its
 * domain must be the account's too); an empty new value clears an optional field.
 */
export default defineAction({
  service: 'ims',
  name: 'UpdateUser',
  params: params({
    UserPrincipalName: userPrincipalName().optional(),
    UserId: userId().optional(),
    NewUserPrincipalName: userPrincipalName().optional(),
    NewDisplayName: p.text(1, 24).optional(),
    NewMobilePhone: p.string(32).optional(),
    NewEmail: p.string(128).optional(),
    NewComments: p.text(0, 128).optional(),
  }),
  authorize: (req) => {
    const q = req.params;
    if (q.UserPrincipalName) {
      return { action: 'ram:UpdateUser', resource: userRef(req.accountId, q.UserPrincipalName) };
    }
    if (q.UserId) return { action: 'ram:UpdateUser', resource: userRefBy(req.accountId, 'userId', q.UserId) };
    throw missingParameter('UserPrincipalName');
  },
  handle: async (req, { domain }) => {
    const q = req.params;
    const user = q.UserPrincipalName
      ? await resolveUser(domain, req.accountId, q.UserPrincipalName)
      : await resolveUserById(domain, req.accountId, q.UserId!);
    if (q.NewUserPrincipalName) {
      const domains = await domain.ssoSettings.principalDomains(req.accountId);
      if (!domains.includes(q.NewUserPrincipalName.domain)) {
        throw apiError(
          'InvalidParameter',
          `The parameter - "NewUserPrincipalName" MUST end with the account's domain: @${domains.join(' or @')}.`,
        );
      }
    }
    const updated = await domain.users.update(req.accountId, user.userName, {
      newUserName: q.NewUserPrincipalName?.userName,
      newDisplayName: q.NewDisplayName,
      newMobilePhone: q.NewMobilePhone,
      newEmail: q.NewEmail,
      newComments: q.NewComments,
    });
    return { User: updatedUserView(updated) };
  },
});
