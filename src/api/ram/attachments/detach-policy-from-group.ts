import { attachmentAction } from './shared.js';

/** Authorized on the group and on the policy. */
export default attachmentAction('Detach', 'Group');
