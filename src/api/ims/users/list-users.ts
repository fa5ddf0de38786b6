import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { readTagFilters, withLists } from '../flat.js';
import { pageView, userListItemView } from '../views.js';
import { listUsersPage, userStatus } from './shared.js';

export default defineAction({
  service: 'ims',
  name: 'ListUsers',
  params: withLists(
    params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(1000), Status: userStatus() }),
    (raw) => ({ Tag: readTagFilters(raw) }),
  ),
  authorize: (req) => ({ action: 'ram:ListUsers', resource: ramResource.all(req.accountId, 'user') }),
  handle: async (req, { domain }) => {
    const page = await listUsersPage(domain, req.accountId, req.params);
    const tags = await domain.userTags.tagsOf(
      req.accountId,
      page.items.map((u) => u.userId),
    );
    return pageView('Users', 'User', page, (u) => userListItemView(u, tags.get(u.userId) ?? []));
  },
});
