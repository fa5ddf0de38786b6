import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { folderView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'CreateFolder',
  params: params({
    FolderName: p.string(),
    ParentFolderId: rmId().optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:CreateFolder',
    resource: rmResource.folder(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const f = await domain.resourceDirectory.createFolder(
      req.accountId,
      req.params.FolderName,
      req.params.ParentFolderId,
    );
    return { Folder: folderView(f) };
  },
});
