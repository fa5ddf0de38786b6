import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { invalidParameter } from '../../../errors.js';
import { ramResource } from '../../ram/resources.js';
import { securityPreferenceView } from '../views.js';

/**
 * The IMS security preference (login, MFA, risk, personal information, verification); the
 * same settings RAM's SetSecurityPreference writes. VerificationTypes arrives as one JSON
 * string (`["sms","email"]`). Parameters left out keep their value.
 */
export default defineAction({
  service: 'ims',
  name: 'SetSecurityPreference',
  params: params({
    EnableSaveMFATicket: p.bool().optional(),
    AllowUserToChangePassword: p.bool().optional(),
    AllowUserToManageAccessKeys: p.bool().optional(),
    AllowUserToManageMFADevices: p.bool().optional(),
    AllowUserToManagePersonalDingTalk: p.bool().optional(),
    AllowUserToLoginWithPasskey: p.bool().optional(),
    LoginSessionDuration: p.int(1, 24).optional(),
    LoginNetworkMasks: p.string(512).optional(),
    MFAOperationForLogin: p.oneOf(['mandatory', 'independent', 'adaptive'] as const).optional(),
    OperationForRiskLogin: p.oneOf(['autonomous', 'enforceVerify'] as const).optional(),
    VerificationTypes: p
      .jsonList(
        (v, param, i) => {
          if (v !== 'sms' && v !== 'email')
            throw invalidParameter(param, `item ${i + 1} MUST be sms or email.`);
          return v;
        },
        { min: 0, max: 2 },
      )
      .optional(),
  }),
  authorize: (req) => ({ action: 'ram:SetSecurityPreference', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const q = req.params;
    const pref = await domain.securityPreference.set(req.accountId, {
      enableSaveMFATicket: q.EnableSaveMFATicket,
      allowUserToChangePassword: q.AllowUserToChangePassword,
      allowUserToManageAccessKeys: q.AllowUserToManageAccessKeys,
      allowUserToManageMFADevices: q.AllowUserToManageMFADevices,
      allowUserToManagePersonalDingTalk: q.AllowUserToManagePersonalDingTalk,
      allowUserToLoginWithPasskey: q.AllowUserToLoginWithPasskey,
      loginSessionDuration: q.LoginSessionDuration,
      loginNetworkMasks: q.LoginNetworkMasks,
      mfaOperationForLogin: q.MFAOperationForLogin,
      operationForRiskLogin: q.OperationForRiskLogin,
      verificationTypes: q.VerificationTypes,
    });
    return { SecurityPreference: securityPreferenceView(pref) };
  },
});
