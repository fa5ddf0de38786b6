import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { rmResource } from '../resources.js';
import { directoryView } from '../views.js';

export default defineAction({
  service: 'resourcemanager',
  name: 'EnableResourceDirectory',
  params: params({
    EnableMode: p.oneOf(['CurrentAccount'] as const),
    MAName: p.string(50).optional(),
    MASecureMobilePhone: p.string(32).optional(),
    VerificationCode: p.string(16).optional(),
  }),
  authorize: (req) => ({
    action: 'resourcemanager:EnableResourceDirectory',
    resource: rmResource.directory(req.accountId),
  }),
  handle: async (req, { domain }) => {
    const d = await domain.resourceDirectory.enable(req.accountId);
    return { ResourceDirectory: directoryView(d) };
  },
});
