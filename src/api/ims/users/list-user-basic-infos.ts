import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { readTagFilters, withLists } from '../flat.js';
import { pageView, userBasicInfoView } from '../views.js';
import { listUsersPage, userStatus } from './shared.js';

/** ListUsers with names only: authorized as ram:ListUserBasicInfos. */
export default defineAction({
  service: 'ims',
  name: 'ListUserBasicInfos',
  params: withLists(
    params({ Marker: p.marker().optional(), MaxItems: p.maxItems(1000).default(1000), Status: userStatus() }),
    (raw) => ({ Tag: readTagFilters(raw) }),
  ),
  authorize: (req) => ({
    action: 'ram:ListUserBasicInfos',
    resource: ramResource.all(req.accountId, 'user'),
  }),
  handle: async (req, { domain }) =>
    pageView(
      'UserBasicInfos',
      'UserBasicInfo',
      await listUsersPage(domain, req.accountId, req.params),
      userBasicInfoView,
    ),
});
