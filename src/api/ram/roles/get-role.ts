import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { roleView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'GetRole',
  params: params({ RoleName: p.roleName() }),
  authorize: (req) => ({
    action: 'ram:GetRole',
    resource: ramResource.role(req.accountId, req.params.RoleName),
  }),
  handle: async (req, { domain }) => ({
    Role: roleView(await domain.roles.get(req.accountId, req.params.RoleName)),
  }),
});
