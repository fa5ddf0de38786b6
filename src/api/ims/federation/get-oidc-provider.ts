import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView } from '../views.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'GetOIDCProvider',
  params: params({ OIDCProviderName: providerName() }),
  authorize: (req) => ({
    action: 'ram:GetOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
  }),
  handle: async (req, { domain }) => ({
    OIDCProvider: oidcProviderView(
      await domain.federationProviders.getOidc(req.accountId, req.params.OIDCProviderName),
    ),
  }),
});
