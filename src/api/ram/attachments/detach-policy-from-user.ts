import { attachmentAction } from './shared.js';

/** Authorized on the user and on the policy. */
export default attachmentAction('Detach', 'User');
