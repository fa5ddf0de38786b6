import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { roleView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'UpdateRole',
  params: params({
    RoleName: p.roleName(),
    NewAssumeRolePolicyDocument: p.string().optional(),
    NewDescription: p.text(0, 1024).optional(),
    NewMaxSessionDuration: p.int(3600, 43200).optional(),
  }),
  authorize: (req) => ({
    action: 'ram:UpdateRole',
    resource: ramResource.role(req.accountId, req.params.RoleName),
  }),
  handle: async (req, { domain }) => {
    const role = await domain.roles.update(req.accountId, req.params.RoleName, {
      newAssumeRolePolicyDocument: req.params.NewAssumeRolePolicyDocument,
      newDescription: req.params.NewDescription,
      newMaxSessionDuration: req.params.NewMaxSessionDuration,
    });
    return { Role: roleView(role) };
  },
});
