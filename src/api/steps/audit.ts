import { eventRW } from '../../audit/event.js';
import { apiEventFacts, buildApiEvent } from '../audit-event.js';
import type { PipelineEnv, RequestState } from './state.js';

/**
 * The audit step: every request, answered or refused, becomes one event.
 *
 * - A write the handler carried out commits its event in the handler's transaction (the
 *   handle step runs the handler in the recorder's unit of work); a write that committed no
 *   transaction gets its event appended before the answer, and the request fails if that
 *   append fails. An acknowledged write is never without its event.
 * - Reads and refusals are buffered and appended in batches, off the request's path.
 */

/** Whether the handle step runs the handler in a unit of work carrying the event. */
export function auditsInUnit(state: RequestState, env: PipelineEnv): boolean {
  return (
    env.audit?.enabled === true &&
    state.definition !== undefined &&
    eventRW(state.definition.name) === 'Write'
  );
}

/** After a successful handler: the event of a read is buffered; a write's is committed now unless its transaction carried it. */
export function recordSuccess(state: RequestState, env: PipelineEnv): Promise<void> | undefined {
  const audit = env.audit;
  if (!audit?.enabled) return undefined;
  if (state.auditUnit) {
    if (state.auditUnit.carried) return undefined;
    return audit.recordNow([buildApiEvent(state, undefined)]);
  }
  audit.recordApi(apiEventFacts(state, undefined));
  return undefined;
}

/**
 * After a refusal or a failure: buffered. A request that failed authentication is recorded
 * against the owner of the AccessKey it named, when that key exists. Never throws.
 */
export function recordFailure(state: RequestState, env: PipelineEnv, err: unknown): void {
  const audit = env.audit;
  if (!audit?.enabled) return;
  // The handler's transaction committed the event (the change happened) and something failed
  // after: the event stands, as the change does.
  if (state.auditUnit?.carried) return;
  try {
    if (state.authentication === undefined && state.protocol) {
      const keyId = claimedKeyOf(state);
      if (keyId) {
        void env.services.credentials
          .findSigningKey(keyId)
          .catch(() => undefined)
          .then((key) => {
            audit.recordApi(
              apiEventFacts(
                state,
                err,
                key ? { principal: key.principal, accessKeyId: key.accessKeyId } : undefined,
              ),
            );
          });
        return;
      }
    }
    audit.recordApi(apiEventFacts(state, err));
  } catch (e) {
    env.logError?.(state.requestId, e);
  }
}

function claimedKeyOf(state: RequestState): string | undefined {
  const p = state.protocol!;
  const id = p.v3 ? undefined : p.params.AccessKeyId;
  if (id !== undefined) return id.length <= 128 ? id : undefined;
  const auth = state.wire.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const m = /Credential=([^,\s]{1,128})/.exec(auth);
  return m?.[1];
}
