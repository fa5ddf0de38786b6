import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView } from '../views.js';
import { providerName } from './names.js';

/** ClientIds, when given, replaces the list. */
export default defineAction({
  service: 'ims',
  name: 'UpdateOIDCProvider',
  params: params({
    OIDCProviderName: providerName(),
    NewDescription: p.string().optional(),
    ClientIds: p.string().optional(),
    IssuanceLimitTime: p.int(1, 168).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
  }),
  handle: async (req, { domain }) => ({
    OIDCProvider: oidcProviderView(
      await domain.federationProviders.updateOidc(req.accountId, req.params.OIDCProviderName, {
        newDescription: req.params.NewDescription,
        clientIds: req.params.ClientIds,
        issuanceLimitTime: req.params.IssuanceLimitTime,
      }),
    ),
  }),
});
