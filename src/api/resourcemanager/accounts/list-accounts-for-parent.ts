import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId, paging, pagingOf, withTagFilter } from '../resources.js';
import { accountListView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListAccountsForParent',
  params: withTagFilter(
    params({
      ParentFolderId: rmId().optional(),
      QueryKeyword: p.string(128).optional(),
      IncludeTags: p.bool().optional(),
      ...paging,
    }),
  ),
  authorize: (req) => ({
    action: 'resourcemanager:ListAccountsForParent',
    resource: rmResource.account(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listAccounts(
      req.accountId,
      req.params.ParentFolderId ?? null,
      req.params.QueryKeyword,
      pagingOf(req.params),
      req.params.Tag,
    );
    return {
      Accounts: { Account: page.items.map((a) => accountListView(a, false)) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
