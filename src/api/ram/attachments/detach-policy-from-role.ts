import { attachmentAction } from './shared.js';

/** Authorized on the role and on the policy. */
export default attachmentAction('Detach', 'Role');
