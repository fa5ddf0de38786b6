import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView } from '../views.js';
import { providerName } from './names.js';

/**
 * An OIDC identity provider: an https issuer unique in the account, SHA-1 fingerprints of its
 * certificate, client ids. The issuer is also the condition key ram:OidcIssuerUrl.
 */
export default defineAction({
  service: 'ims',
  name: 'CreateOIDCProvider',
  params: params({
    OIDCProviderName: providerName(),
    IssuerUrl: p.string(),
    Description: p.string().optional(),
    ClientIds: p.string().optional(),
    Fingerprints: p.string().optional(),
    IssuanceLimitTime: p.int(1, 168).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreateOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
    context: { 'ram:OidcIssuerUrl': { type: 'String', values: [req.params.IssuerUrl] } },
  }),
  handle: async (req, { domain }) => ({
    OIDCProvider: oidcProviderView(
      await domain.federationProviders.createOidc(req.accountId, {
        oidcProviderName: req.params.OIDCProviderName,
        issuerUrl: req.params.IssuerUrl,
        description: req.params.Description,
        clientIds: req.params.ClientIds,
        fingerprints: req.params.Fingerprints,
        issuanceLimitTime: req.params.IssuanceLimitTime,
      }),
    ),
  }),
});
