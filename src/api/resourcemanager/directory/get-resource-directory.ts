import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource } from '../resources.js';
import { fullDirectoryView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetResourceDirectory',
  params: params({}),
  authorize: (req) => ({
    action: 'resourcemanager:GetResourceDirectory',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    const d = await domain.resourceDirectory.get(req.accountId);
    return { ResourceDirectory: fullDirectoryView(d) };
  },
});
