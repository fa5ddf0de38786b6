import { COMMON_PARAMS } from '../protocol/request.js';
import { need, type Step } from './state.js';

/** The action's declared parameters, parsed from everything but the protocol's own. */
export const validateParamsStep: Step = (state) => {
  const def = need(state.definition, 'definition');
  const all = need(state.protocol, 'protocol').params;
  const raw: Record<string, string> = {};
  for (const name of Object.keys(all)) if (!COMMON_PARAMS.has(name)) raw[name] = all[name]!;
  state.params = def.params.parse(raw);
};
