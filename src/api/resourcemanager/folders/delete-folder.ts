import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'DeleteFolder',
  params: params({ FolderId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:DeleteFolder',
    resource: rmResource.folder(req.accountId, req.params.FolderId),
  }),
  handle: async (req, { domain }) => {
    await domain.resourceDirectory.deleteFolder(req.accountId, req.params.FolderId);
    return {};
  },
});
