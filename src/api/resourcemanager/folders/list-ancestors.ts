import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { rmResource, rmId } from '../resources.js';
import { folderListView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'ListAncestors',
  params: params({ ChildId: rmId() }),
  authorize: (req) => ({
    action: 'resourcemanager:ListAncestors',
    resource: rmResource.target(req.accountId, req.params.ChildId),
  }),
  handle: async (req, { domain }) => {
    const folders = await domain.resourceDirectory.listAncestors(req.accountId, req.params.ChildId);
    return { Folders: { Folder: folders.map(folderListView) } };
  },
});
