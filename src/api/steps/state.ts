import type { Authentication, AuthenticationOptions } from '../../auth/authenticate.js';
import type { RequestContext } from '../../policy/request.js';
import type { Authorizer } from '../authorize.js';
import type { ProtocolRequest } from '../protocol/request.js';
import type { WireRequest, WireResponse } from '../protocol/wire.js';
import type { FederatedCaller, SelfService } from '../action.js';
import type { AnyActionDefinition, Registry } from '../registry.js';
import type { Services } from '../../domain/request-services.js';
import type { AuditRecorder, EventUnit } from '../../audit/recorder.js';

/** What every step may use; built once by the composition root. */
export interface PipelineEnv {
  readonly registry: Registry;
  readonly services: Services;
  readonly authorizer: Authorizer;
  readonly auth?: AuthenticationOptions;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
  /** The audit trail (absent: nothing is recorded). */
  readonly audit?: AuditRecorder;
  /** Server-side log of unexpected failures (never given secrets). */
  readonly logError?: (requestId: string, err: unknown) => void;
  /** Told of every answered request: metrics and the request log (src/ops). */
  readonly observe?: (state: RequestState, response: WireResponse, err: unknown, durationMs: number) => void;
}

/** One request on its way through the steps; each step fills in its part. */
export interface RequestState {
  readonly wire: WireRequest;
  readonly requestId: string;
  readonly receivedAt: Date;
  protocol?: ProtocolRequest;
  authentication?: Authentication;
  definition?: AnyActionDefinition;
  params?: unknown;
  context?: RequestContext;
  /** The policy engine allowed the request (the authorize step ran to its end). */
  allowed?: boolean;
  /** Self-service kinds that only the security preference allowed (see Authorizer). */
  allowedBySelfService?: readonly SelfService[];
  result?: object;
  /** The unit of work a write's handler ran in (its first transaction carries the event). */
  auditUnit?: EventUnit;
  /** Who an unsigned federated sign-in turned out to be (see ActionRequest). */
  federatedCaller?: FederatedCaller;
}

export type Step = (state: RequestState, env: PipelineEnv) => void | Promise<void>;

/** A step that runs before the previous one filled its part is a programming error. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline: ${what} is not set`);
  return value;
}
