import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView } from '../views.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'AddClientIdToOIDCProvider',
  params: params({ OIDCProviderName: providerName(), ClientId: p.string(128) }),
  authorize: (req) => ({
    action: 'ram:AddClientIdToOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
  }),
  handle: async (req, { domain }) => ({
    OIDCProvider: oidcProviderView(
      await domain.federationProviders.addClientId(
        req.accountId,
        req.params.OIDCProviderName,
        req.params.ClientId,
      ),
    ),
  }),
});
