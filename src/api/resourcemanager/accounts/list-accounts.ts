import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, paging, pagingOf, withTagFilter } from '../resources.js';
import { accountListView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListAccounts',
  params: withTagFilter(
    params({
      IncludeTags: p.bool().optional(),
      ...paging,
    }),
  ),
  authorize: (req) => ({
    action: 'resourcemanager:ListAccounts',
    resource: rmResource.account(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listAccounts(
      req.accountId,
      undefined,
      undefined,
      pagingOf(req.params),
      req.params.Tag,
    );
    return {
      Accounts: { Account: page.items.map((a) => accountListView(a, true)) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
