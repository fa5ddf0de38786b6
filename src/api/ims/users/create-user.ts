import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { apiError } from '../../../errors.js';
import { checkTags } from '../../../domain/tags.js';
import { readTags, withLists } from '../flat.js';
import { userPrincipalName, userRef } from '../principal.js';
import { userView } from '../views.js';

/**
 * A RAM user named by its principal name, whose domain must be the account's (default or
 * auxiliary). The user, then its tags: tags are checked before the user is created, and a
 * user whose tags the account's quota refuses is removed again.
 */
export default defineAction({
  service: 'ims',
  name: 'CreateUser',
  params: withLists(
    params({
      UserPrincipalName: userPrincipalName(),
      DisplayName: p.text(1, 24),
      MobilePhone: p.mobilePhone().optional(),
      Email: p.email().optional(),
      Comments: p.text(0, 128).optional(),
    }),
    (raw) => ({ Tag: readTags(raw) }),
  ),
  authorize: (req) => ({
    action: 'ram:CreateUser',
    resource: userRef(req.accountId, req.params.UserPrincipalName),
  }),
  handle: async (req, { domain }) => {
    const name = req.params.UserPrincipalName;
    const domains = await domain.ssoSettings.principalDomains(req.accountId);
    if (!domains.includes(name.domain)) {
      throw apiError(
        'InvalidParameter',
        `The parameter - "UserPrincipalName" MUST end with the account's domain: @${domains.join(' or @')}.`,
      );
    }
    const tags = req.params.Tag.map((t) => ({ tagKey: t.Key, tagValue: t.Value }));
    checkTags(tags);
    const user = await domain.users.create(req.accountId, {
      userName: name.userName,
      displayName: req.params.DisplayName,
      mobilePhone: req.params.MobilePhone,
      email: req.params.Email,
      comments: req.params.Comments,
    });
    if (tags.length > 0) {
      try {
        await domain.userTags.tag(req.accountId, [user.userId], tags);
      } catch (e) {
        // A tag the account's quota refuses: the user is not left behind without its tags.
        await domain.users.delete(req.accountId, user.userName).catch(() => undefined);
        throw e;
      }
    }
    return { User: userView(user, tags) };
  },
});
