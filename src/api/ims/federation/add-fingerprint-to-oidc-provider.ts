import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { imsResource } from '../resources.js';
import { oidcProviderView } from '../views.js';
import { providerName } from './names.js';

export default defineAction({
  service: 'ims',
  name: 'AddFingerprintToOIDCProvider',
  params: params({ OIDCProviderName: providerName(), Fingerprint: p.string(128) }),
  authorize: (req) => ({
    action: 'ram:AddFingerprintToOIDCProvider',
    resource: imsResource.oidcProvider(req.accountId, req.params.OIDCProviderName),
  }),
  handle: async (req, { domain }) => ({
    OIDCProvider: oidcProviderView(
      await domain.federationProviders.addFingerprint(
        req.accountId,
        req.params.OIDCProviderName,
        req.params.Fingerprint,
      ),
    ),
  }),
});
