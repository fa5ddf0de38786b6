import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { passwordPolicyView } from '../views.js';

export default defineAction({
  service: 'ims',
  name: 'GetPasswordPolicy',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetPasswordPolicy', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    PasswordPolicy: passwordPolicyView(await domain.passwordPolicy.get(req.accountId)),
  }),
});
