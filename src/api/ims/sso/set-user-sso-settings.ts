import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { userSsoSettingsView } from '../views.js';

/**
 * User-based SSO settings: the IdP metadata (base64 SAML metadata with a signing certificate),
 * whether SSO is on, the auxiliary domain, whether the NameID carries a domain, and the
 * signature algorithm. Stored and validated; parameters left out keep their value.
 */
export default defineAction({
  service: 'ims',
  name: 'SetUserSsoSettings',
  params: params({
    MetadataDocument: p.string().optional(),
    SsoEnabled: p.bool().optional(),
    AuxiliaryDomain: p.string().optional(),
    SsoLoginWithDomain: p.bool().optional(),
    AuthnSignAlgo: p.string().optional(),
  }),
  authorize: (req) => ({ action: 'ram:SetUserSsoSettings', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    UserSsoSettings: userSsoSettingsView(
      await domain.ssoSettings.set(req.accountId, {
        metadataDocument: req.params.MetadataDocument,
        ssoEnabled: req.params.SsoEnabled,
        auxiliaryDomain: req.params.AuxiliaryDomain,
        ssoLoginWithDomain: req.params.SsoLoginWithDomain,
        authnSignAlgo: req.params.AuthnSignAlgo,
      }),
    ),
  }),
});
