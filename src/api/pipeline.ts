/**
 * The request path, in order. Every caller travels it, so each rule is enforced once:
 *
 *   protocol -> authenticate -> action lookup -> validate params -> authorize -> handler
 *   -> audit event (success or failure; steps/audit.ts) -> response
 */
import { ApiError, serviceUnavailable } from '../errors.js';
import { isStoreUnavailable } from '../store/errors.js';
import { newRequestId } from './protocol/request.js';
import type { WireRequest, WireResponse } from './protocol/wire.js';
import { recordFailure, recordSuccess } from './steps/audit.js';
import { authenticateStep } from './steps/authenticate.js';
import { authorizeStep } from './steps/authorize.js';
import { handleStep } from './steps/handle.js';
import { lookupActionStep } from './steps/lookup-action.js';
import { protocolStep } from './steps/protocol.js';
import { respondError, respondSuccess } from './steps/respond.js';
import { validateParamsStep } from './steps/validate-params.js';
import type { PipelineEnv, RequestState, Step } from './steps/state.js';

export type { PipelineEnv } from './steps/state.js';

export const STEPS: readonly Step[] = [
  protocolStep,
  authenticateStep,
  lookupActionStep,
  validateParamsStep,
  authorizeStep,
  handleStep,
];

/** Runs one request through every step and answers it; never throws. */
export async function runPipeline(env: PipelineEnv, wire: WireRequest): Promise<WireResponse> {
  const started = env.observe ? performance.now() : 0;
  const state: RequestState = {
    wire,
    requestId: newRequestId(),
    receivedAt: env.now ? env.now() : new Date(),
  };
  try {
    for (const step of STEPS) {
      const pending = step(state, env);
      if (pending) await pending; // a synchronous step costs no turn of the event loop
    }
    const response = respondSuccess(state);
    const recording = recordSuccess(state, env);
    if (recording) await recording;
    env.observe?.(state, response, undefined, performance.now() - started);
    return response;
  } catch (thrown) {
    // The store out of reach is the deployment's trouble, not the request's: a 503 the caller may retry.
    const err = isStoreUnavailable(thrown) ? serviceUnavailable() : thrown;
    if (!(err instanceof ApiError)) env.logError?.(state.requestId, err);
    recordFailure(state, env, err);
    const response = respondError(state, err);
    env.observe?.(state, response, err, performance.now() - started);
    return response;
  }
}
