import { listPoliciesForAction } from './shared.js';

export default listPoliciesForAction('Group');
