import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { passwordPolicyView } from '../views.js';

/** Parameters left out keep their current value (they are not reset to the defaults). */
export default defineAction({
  service: 'ram',
  name: 'SetPasswordPolicy',
  params: params({
    MinimumPasswordLength: p.int(8, 32, 'InvalidParameter.MinimumPasswordLength.Range').optional(),
    RequireLowercaseCharacters: p.bool().optional(),
    RequireUppercaseCharacters: p.bool().optional(),
    RequireNumbers: p.bool().optional(),
    RequireSymbols: p.bool().optional(),
    HardExpiry: p.bool().optional(),
    MaxLoginAttemps: p.int(0, 32).optional(),
    PasswordReusePrevention: p.int(0, 24).optional(),
    MaxPasswordAge: p.int(0, 1095).optional(),
  }),
  authorize: (req) => ({ action: 'ram:SetPasswordPolicy', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const q = req.params;
    const policy = await domain.passwordPolicy.set(
      req.accountId,
      defined({
        minimumPasswordLength: q.MinimumPasswordLength,
        requireLowercaseCharacters: q.RequireLowercaseCharacters,
        requireUppercaseCharacters: q.RequireUppercaseCharacters,
        requireNumbers: q.RequireNumbers,
        requireSymbols: q.RequireSymbols,
        hardExpiry: q.HardExpiry,
        maxLoginAttemps: q.MaxLoginAttemps,
        passwordReusePrevention: q.PasswordReusePrevention,
        maxPasswordAge: q.MaxPasswordAge,
      }),
    );
    return { PasswordPolicy: passwordPolicyView(policy) };
  },
});

function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
