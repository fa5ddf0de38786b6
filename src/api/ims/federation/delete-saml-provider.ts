import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { imsResource } from '../resources.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'DeleteSAMLProvider',
  params: params({ SAMLProviderName: providerName() }),
  authorize: (req) => ({
    action: 'ram:DeleteSAMLProvider',
    resource: imsResource.samlProvider(req.accountId, req.params.SAMLProviderName),
  }),
  handle: async (req, { domain }) => {
    await domain.federationProviders.deleteSaml(req.accountId, req.params.SAMLProviderName);
    return {};
  },
});
