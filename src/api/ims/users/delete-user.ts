import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { missingParameter } from '../../../errors.js';
import { resolveUser, resolveUserById, userId, userPrincipalName, userRef, userRefBy } from '../principal.js';

/** Deletes a user named by UserPrincipalName or UserId; the same DeleteConflict rules as RAM. */
export default defineAction({
  service: 'ims',
  name: 'DeleteUser',
  params: params({ UserPrincipalName: userPrincipalName().optional(), UserId: userId().optional() }),
  authorize: (req) => {
    const q = req.params;
    if (q.UserPrincipalName) {
      return { action: 'ram:DeleteUser', resource: userRef(req.accountId, q.UserPrincipalName) };
    }
    if (q.UserId) return { action: 'ram:DeleteUser', resource: userRefBy(req.accountId, 'userId', q.UserId) };
    throw missingParameter('UserPrincipalName');
  },
  handle: async (req, { domain }) => {
    const q = req.params;
    const user = q.UserPrincipalName
      ? await resolveUser(domain, req.accountId, q.UserPrincipalName)
      : await resolveUserById(domain, req.accountId, q.UserId!);
    await domain.users.delete(req.accountId, user.userName);
    return {};
  },
});
