import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'DeleteRole',
  params: params({ RoleName: p.roleName() }),
  authorize: (req) => ({
    action: 'ram:DeleteRole',
    resource: ramResource.role(req.accountId, req.params.RoleName),
  }),
  handle: async (req, { domain }) => {
    await domain.roles.delete(req.accountId, req.params.RoleName);
    return {};
  },
});
