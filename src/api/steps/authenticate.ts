import { authenticate } from '../../auth/authenticate.js';
import { need, type Step } from './state.js';

/** Signature V2 or V3, or nothing at all (anonymous, refused by the action lookup unless the action allows it). */
export const authenticateStep: Step = async (state, env) => {
  const p = need(state.protocol, 'protocol');
  // Actions that take no signature (federated sign-in) skip authentication altogether, even
  // when a client signs them with a key this deployment does not know.
  if (p.action && p.version && env.registry.lookup(p.version, p.action)?.anonymous) {
    state.authentication = { kind: 'anonymous' };
    return;
  }
  state.authentication = await authenticate(
    {
      method: p.method,
      path: p.path,
      query: p.query,
      form: p.form,
      params: p.params,
      headers: state.wire.headers,
      body: state.wire.body,
      now: state.receivedAt,
    },
    env.services,
    env.auth,
  );
  // GetAccessKeyLastUsed: a key's use is recorded (at most one write a minute per key). A failure
  // to record never fails the request.
  const auth = state.authentication;
  if (auth.kind === 'signed' && !auth.accessKeyId.startsWith('STS.')) {
    try {
      const writing = env.services.domain.accessKeys.recordUse(auth.accessKeyId, state.receivedAt);
      if (writing) await writing;
    } catch {
      // Recording is best effort.
    }
  }
};
