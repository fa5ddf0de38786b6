import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { apiError, missingParameter } from '../../../errors.js';
import type { User } from '../../../domain/index.js';
import { resolveUser, resolveUserById, userId, userPrincipalName, userRef, userRefBy } from '../principal.js';
import { userDetailView } from '../views.js';

/** A user by UserPrincipalName, UserId or UserAccessKeyId (the first given, in that order). */
export default defineAction({
  service: 'ims',
  name: 'GetUser',
  params: params({
    UserPrincipalName: userPrincipalName().optional(),
    UserId: userId().optional(),
    UserAccessKeyId: p.accessKeyId().optional(),
  }),
  authorize: (req) => {
    const q = req.params;
    if (q.UserPrincipalName)
      return { action: 'ram:GetUser', resource: userRef(req.accountId, q.UserPrincipalName) };
    if (q.UserId) return { action: 'ram:GetUser', resource: userRefBy(req.accountId, 'userId', q.UserId) };
    if (q.UserAccessKeyId) {
      return { action: 'ram:GetUser', resource: userRefBy(req.accountId, 'accessKeyId', q.UserAccessKeyId) };
    }
    throw missingParameter('UserPrincipalName');
  },
  handle: async (req, { domain }) => {
    const q = req.params;
    let user: User;
    if (q.UserPrincipalName) user = await resolveUser(domain, req.accountId, q.UserPrincipalName);
    else if (q.UserId) user = await resolveUserById(domain, req.accountId, q.UserId);
    else {
      const found = await domain.accountSummary.userByAccessKeyId(req.accountId, q.UserAccessKeyId!);
      if (!found) throw apiError('EntityNotExist.User', `The user does not exist: ${q.UserAccessKeyId}.`);
      user = found;
    }
    const tags = (await domain.userTags.tagsOf(req.accountId, [user.userId])).get(user.userId) ?? [];
    return { User: userDetailView(user, tags) };
  },
});
