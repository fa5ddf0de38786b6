import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { delegatedServiceView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListDelegatedServicesForAccount',
  params: params({ AccountId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:ListDelegatedServicesForAccount',
    resource: rmResource.account(req.accountId, req.params.AccountId),
  }),
  handle: async (req, { domain }) => {
    const services = await domain.resourceDirectory.listDelegatedServices(
      req.accountId,
      req.params.AccountId,
    );
    return { DelegatedServices: { DelegatedService: services.map(delegatedServiceView) } };
  },
});
