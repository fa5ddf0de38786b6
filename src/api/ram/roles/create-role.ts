import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { toTags } from '../tags/convert.js';
import { createdRoleView } from '../views.js';

export default defineAction({
  service: 'ram',
  name: 'CreateRole',
  params: params({
    RoleName: p.roleName(),
    AssumeRolePolicyDocument: p.string(),
    Description: p.text(1, 1024).optional(),
    MaxSessionDuration: p.int(3600, 43200).default(3600),
    Tag: p.tags().optional(),
  }),
  authorize: (req) => ({
    action: 'ram:CreateRole',
    resource: ramResource.role(req.accountId, req.params.RoleName),
  }),
  handle: async (req, { domain }) => {
    const role = await domain.roles.create(req.accountId, {
      roleName: req.params.RoleName,
      assumeRolePolicyDocument: req.params.AssumeRolePolicyDocument,
      description: req.params.Description,
      maxSessionDuration: req.params.MaxSessionDuration,
      tags: toTags(req.params.Tag),
    });
    return { Role: createdRoleView(role) };
  },
});
