import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { folderWithPathView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'GetFolder',
  params: params({ FolderId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:GetFolder',
    resource: rmResource.folder(req.accountId, req.params.FolderId),
  }),
  handle: async (req, { domain }) => {
    const f = await domain.resourceDirectory.getFolder(req.accountId, req.params.FolderId);
    return { Folder: folderWithPathView(f) };
  },
});
