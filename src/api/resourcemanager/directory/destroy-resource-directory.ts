import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DestroyResourceDirectory',
  params: params({}),
  authorize: (req) => ({
    action: 'resourcemanager:DestroyResourceDirectory',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    await domain.resourceDirectory.destroy(req.accountId);
    return {};
  },
});
