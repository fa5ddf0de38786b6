import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { samlProviderView } from '../views.js';
import { providerName } from './names.js';

/** A SAML identity provider; its metadata is checked (base64 SAML IdP metadata with a signing certificate). */
export default defineAction({
  service: 'ims',
  name: 'CreateSAMLProvider',
  params: params({
    SAMLProviderName: providerName(),
    Description: p.string().optional(),
    EncodedSAMLMetadataDocument: p.string().optional(),
    AuthnSignAlgo: p.string().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreateSAMLProvider',
    resource: imsResource.samlProvider(req.accountId, req.params.SAMLProviderName),
  }),
  handle: async (req, { domain }) => ({
    SAMLProvider: samlProviderView(
      await domain.federationProviders.createSaml(req.accountId, {
        samlProviderName: req.params.SAMLProviderName,
        description: req.params.Description,
        encodedSAMLMetadataDocument: req.params.EncodedSAMLMetadataDocument,
        authnSignAlgo: req.params.AuthnSignAlgo,
      }),
    ),
  }),
});
