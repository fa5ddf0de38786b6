import { buildRequestContext } from '../request-context.js';
import { need, type Step } from './state.js';

/** The request context, then every authorization target of the action through the engine. */
export const authorizeStep: Step = async (state, env) => {
  const auth = need(state.authentication, 'authentication');
  const def = need(state.definition, 'definition');
  const h = state.wire.headers;
  const principal = auth.kind === 'signed' ? auth.principal : undefined;
  const context = buildRequestContext({
    sourceIp: state.wire.sourceIp,
    now: state.receivedAt,
    secure: state.wire.secure,
    principal,
    accessKeyId: auth.kind === 'signed' ? auth.accessKeyId : undefined,
    userAgent: h['user-agent'],
    referer: typeof h.referer === 'string' ? h.referer : undefined,
  });
  state.context = context;
  if (!principal || !def.authorize) return;
  const targets = def.authorize({
    requestId: state.requestId,
    accountId: principal.accountId,
    principal,
    params: state.params,
  });
  await env.authorizer.authorize(principal, Array.isArray(targets) ? targets : [targets], context);
};
