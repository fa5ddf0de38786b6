import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView, pageView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListOIDCProviders',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(100) }),
  authorize: (req) => ({
    action: 'ram:ListOIDCProviders',
    resource: imsResource.allOidcProviders(req.accountId),
  }),
  handle: async (req, { domain }) =>
    pageView(
      'OIDCProviders',
      'OIDCProvider',
      await domain.federationProviders.listOidc(req.accountId, {
        marker: req.params.Marker,
        maxItems: req.params.MaxItems,
      }),
      oidcProviderView,
    ),
});
