import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../resources.js';
import { passwordPolicyView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetPasswordPolicy',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetPasswordPolicy', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => ({
    PasswordPolicy: passwordPolicyView(await domain.passwordPolicy.get(req.accountId)),
  }),
});
