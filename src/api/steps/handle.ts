import { need, type Step } from './state.js';

/**
 * Runs the action's handler. An anonymous action (federated sign-in) gets an empty
 * accountId and a placeholder principal: it names its account inside its parameters.
 */
export const handleStep: Step = async (state, env) => {
  const def = need(state.definition, 'definition');
  const auth = need(state.authentication, 'authentication');
  const principal = auth.kind === 'signed' ? auth.principal : { type: 'Root' as const, accountId: '' };
  state.result = await def.handle(
    {
      requestId: state.requestId,
      accountId: principal.accountId,
      principal,
      params: state.params,
      context: need(state.context, 'context'),
    },
    env.services,
  );
};
