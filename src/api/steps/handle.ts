import type { Principal } from '../../auth/principal.js';
import type { FederatedCaller } from '../action.js';
import { buildApiEvent } from '../audit-event.js';
import { auditsInUnit } from './audit.js';
import { need, type Step } from './state.js';

/**
 * Runs the action's handler. An unsigned call to an anonymous action (federated sign-in)
 * gets the Anonymous principal and no accountId: it names its account inside its parameters.
 */
export const handleStep: Step = async (state, env) => {
  const def = need(state.definition, 'definition');
  const auth = need(state.authentication, 'authentication');
  const principal: Principal = auth.kind === 'signed' ? auth.principal : { type: 'Anonymous', accountId: '' };
  const run = () =>
    def.handle(
      {
        requestId: state.requestId,
        accountId: principal.accountId,
        principal,
        params: state.params,
        context: need(state.context, 'context'),
        allowedBySelfService: state.allowedBySelfService ?? [],
        ...(principal.type === 'Anonymous'
          ? {
              identifyFederatedCaller: (caller: FederatedCaller) => {
                state.federatedCaller = caller;
              },
            }
          : {}),
      },
      env.services,
    );
  if (auditsInUnit(state, env)) {
    const unit = env.audit!.unitFor(() => buildApiEvent(state, undefined));
    state.auditUnit = unit;
    state.result = await unit.run(async () => run());
  } else {
    state.result = await run();
  }
};
