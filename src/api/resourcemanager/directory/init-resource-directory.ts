import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource } from '../resources.js';
import { directoryView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'InitResourceDirectory',
  params: params({}),
  authorize: (req) => ({
    action: 'resourcemanager:InitResourceDirectory',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    const d = await domain.resourceDirectory.enable(req.accountId);
    return { ResourceDirectory: directoryView(d) };
  },
});
