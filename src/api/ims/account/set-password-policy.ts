import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { passwordPolicyView } from '../views.js';

/** The IMS spelling (HardExpire) of RAM's password policy; parameters left out keep their value. */
export default defineAction({
  service: 'ims',
  name: 'SetPasswordPolicy',
  params: params({
    MinimumPasswordLength: p.int(8, 32, 'InvalidParameter.MinimumPasswordLength.Range').optional(),
    RequireLowercaseCharacters: p.bool().optional(),
    RequireUppercaseCharacters: p.bool().optional(),
    RequireNumbers: p.bool().optional(),
    RequireSymbols: p.bool().optional(),
    HardExpire: p.bool().optional(),
    MaxLoginAttemps: p.int(0, 32).optional(),
    PasswordReusePrevention: p.int(0, 24).optional(),
    MaxPasswordAge: p.int(0, 1095).optional(),
    MinimumPasswordDifferentCharacter: p.int(0, 8).optional(),
    PasswordNotContainUserName: p.bool().optional(),
  }),
  authorize: (req) => ({ action: 'ram:SetPasswordPolicy', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const q = req.params;
    const input = Object.fromEntries(
      Object.entries({
        minimumPasswordLength: q.MinimumPasswordLength,
        requireLowercaseCharacters: q.RequireLowercaseCharacters,
        requireUppercaseCharacters: q.RequireUppercaseCharacters,
        requireNumbers: q.RequireNumbers,
        requireSymbols: q.RequireSymbols,
        hardExpiry: q.HardExpire,
        maxLoginAttemps: q.MaxLoginAttemps,
        passwordReusePrevention: q.PasswordReusePrevention,
        maxPasswordAge: q.MaxPasswordAge,
        minimumPasswordDifferentCharacter: q.MinimumPasswordDifferentCharacter,
        passwordNotContainUserName: q.PasswordNotContainUserName,
      }).filter(([, v]) => v !== undefined),
    );
    return { PasswordPolicy: passwordPolicyView(await domain.passwordPolicy.set(req.accountId, input)) };
  },
});
