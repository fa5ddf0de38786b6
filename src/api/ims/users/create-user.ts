import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { apiError } from '../../../errors.js';
import { checkTags } from '../../../domain/tags.js';
import { readTags, withLists } from '../flat.js';
import { userPrincipalName, userRef } from '../principal.js';
import { userView } from '../views.js';

/**
 * A RAM user named by its principal name, whose domain must be the account's (default or
 * auxiliary), created with its tags in one transaction.
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
    // The user and its tags in one write: a tag the account's quota refuses creates nothing.
    const user = await domain.users.create(req.accountId, {
      userName: name.userName,
      displayName: req.params.DisplayName,
      mobilePhone: req.params.MobilePhone,
      email: req.params.Email,
      comments: req.params.Comments,
      ...(tags.length > 0 ? { tags } : {}),
    });
    return { User: userView(user, tags) };
  },
});
