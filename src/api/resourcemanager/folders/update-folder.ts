import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { folderView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'UpdateFolder',
  params: params({ FolderId: rmId(), NewFolderName: p.string() }),
  authorize: (req) => ({
    action: 'resourcemanager:UpdateFolder',
    resource: rmResource.folder(req.accountId, req.params.FolderId),
  }),
  handle: async (req, { domain }) => {
    const f = await domain.resourceDirectory.updateFolder(
      req.accountId,
      req.params.FolderId,
      req.params.NewFolderName,
    );
    return { Folder: folderView(f) };
  },
});
