import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { samlProviderView } from '../views.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'UpdateSAMLProvider',
  params: params({
    SAMLProviderName: providerName(),
    NewDescription: p.string().optional(),
    NewEncodedSAMLMetadataDocument: p.string().optional(),
    AuthnSignAlgo: p.string().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateSAMLProvider',
    resource: imsResource.samlProvider(req.accountId, req.params.SAMLProviderName),
  }),
  handle: async (req, { domain }) => ({
    SAMLProvider: samlProviderView(
      await domain.federationProviders.updateSaml(req.accountId, req.params.SAMLProviderName, {
        newDescription: req.params.NewDescription,
        newEncodedSAMLMetadataDocument: req.params.NewEncodedSAMLMetadataDocument,
        authnSignAlgo: req.params.AuthnSignAlgo,
      }),
    ),
  }),
});
