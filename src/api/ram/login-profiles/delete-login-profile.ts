import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';

export default defineAction({
  service: 'ram',
  name: 'DeleteLoginProfile',
  params: params({ UserName: p.userName() }),
  authorize: (req) => ({
    action: 'ram:DeleteLoginProfile',
    resource: ramResource.user(req.accountId, req.params.UserName),
  }),
  handle: async (req, { domain }) => {
    await domain.loginProfiles.delete(req.accountId, req.params.UserName);
    return {};
  },
});
