import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, paging, pagingOf } from '../resources.js';
import { delegatedAdministratorView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListDelegatedAdministrators',
  params: params({ ServicePrincipal: p.string(128).optional(), ...paging }),
  authorize: (req) => ({
    action: 'resourcemanager:ListDelegatedAdministrators',
    resource: rmResource.account(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listDelegatedAdmins(
      req.accountId,
      req.params.ServicePrincipal,
      pagingOf(req.params),
    );
    return {
      Accounts: { Account: page.items.map(delegatedAdministratorView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
