import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { pageView, samlProviderListItemView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'ListSAMLProviders',
  params: params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(100) }),
  authorize: (req) => ({
    action: 'ram:ListSAMLProviders',
    resource: imsResource.allSamlProviders(req.accountId),
  }),
  handle: async (req, { domain }) =>
    pageView(
      'SAMLProviders',
      'SAMLProvider',
      await domain.federationProviders.listSaml(req.accountId, {
        marker: req.params.Marker,
        maxItems: req.params.MaxItems,
      }),
      samlProviderListItemView,
    ),
});
