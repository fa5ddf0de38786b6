import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { imsResource } from '../resources.js';
import { samlProviderDetailView } from '../views.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'GetSAMLProvider',
  params: params({ SAMLProviderName: providerName() }),
  authorize: (req) => ({
    action: 'ram:GetSAMLProvider',
    resource: imsResource.samlProvider(req.accountId, req.params.SAMLProviderName),
  }),
  handle: async (req, { domain }) => ({
    SAMLProvider: samlProviderDetailView(
      await domain.federationProviders.getSaml(req.accountId, req.params.SAMLProviderName),
    ),
  }),
});
