import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { imsResource } from '../resources.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteOIDCProvider',
  params: params({ OIDCProviderName: providerName() }),
  authorize: (req) => ({
    action: 'ram:DeleteOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
  }),
  handle: async (req, { domain }) => {
    await domain.federationProviders.deleteOidc(req.accountId, req.params.OIDCProviderName);
    return {};
  },
});
