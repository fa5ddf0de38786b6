import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource, rmId, paging, pagingOf } from '../resources.js';
import { folderListView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListFoldersForParent',
  params: params({
    ParentFolderId: rmId().optional(),
    QueryKeyword: p.string(128).optional(),
    ...paging,
  }),
  authorize: (req) => ({
    action: 'resourcemanager:ListFoldersForParent',
    resource: rmResource.folder(req.accountId, '*'),
  }),
  handle: async (req, { domain }) => {
    const page = await domain.resourceDirectory.listFolders(
      req.accountId,
      req.params.ParentFolderId,
      req.params.QueryKeyword,
      pagingOf(req.params),
    );
    return {
      Folders: { Folder: page.items.map(folderListView) },
      PageNumber: req.params.PageNumber,
      PageSize: req.params.PageSize,
      TotalCount: page.total,
    };
  },
});
