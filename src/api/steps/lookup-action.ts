import { apiError, missingCommonParameter } from '../../errors.js';
import { need, type Step } from './state.js';

/** Service by Version, then the action; unsigned calls only reach anonymous actions. */
export const lookupActionStep: Step = (state, env) => {
  const p = need(state.protocol, 'protocol');
  if (!p.action) throw missingCommonParameter('Action');
  if (!p.version) throw missingCommonParameter('Version');
  const def = env.registry.lookup(p.version, p.action);
  if (!def) throw apiError('InvalidParameter', 'The specified parameter "Action or Version" is not valid.');
  if (need(state.authentication, 'authentication').kind === 'anonymous' && !def.anonymous) {
    throw missingCommonParameter('AccessKeyId');
  }
  state.definition = def;
};
