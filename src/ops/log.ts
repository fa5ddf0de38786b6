/**
 * The structured log: one JSON object per line on stdout (pino), one line per answered API
 * request with its request id, service, action, principal, result code, HTTP status, source
 * address and duration.
 *
 * What a line may hold is decided here, field by field, from the request's state after the
 * pipeline: identifiers (account, user or role name, AccessKeyId), never a parameter, header,
 * body, password, AccessKey secret, security token or MFA code. test/ops/log.test.ts scans the
 * output of a real server for every secret it handed out.
 */
import pino, { type Logger } from 'pino';
import { ApiError } from '../errors.js';
import type { RequestState } from '../api/steps/state.js';
import type { WireResponse } from '../api/protocol/wire.js';
import type { LogLevel } from '../config.js';
import type { RequestObservation } from './metrics.js';

export interface RequestLog {
  readonly logger: Logger;
  /** One line for an answered API request. */
  request(state: RequestState, response: WireResponse, err: unknown, durationMs: number): void;
  /** Writes what is buffered (at shutdown). */
  flush(): Promise<void>;
}

/** What a request came to, in the words of metrics and logs (bounded label values). */
export function requestOutcome(
  state: RequestState,
  response: WireResponse,
  err: unknown,
  durationMs: number,
): RequestObservation {
  const code = err === undefined ? 'Success' : err instanceof ApiError ? err.code : 'InternalError';
  let decision: RequestObservation['decision'];
  if (err instanceof ApiError && err.code === 'NoPermission' && err.detail)
    decision = err.detail.NoPermissionType;
  else if (state.allowed) decision = 'Allow';
  return {
    service: state.definition?.service ?? 'unknown',
    action: state.definition?.name ?? 'unknown',
    code,
    seconds: durationMs / 1000,
    decision,
  };
}

/** The caller as a log line names it: type, account and name; no credential. */
function principalOf(state: RequestState): Record<string, string> | undefined {
  const auth = state.authentication;
  if (!auth || auth.kind !== 'signed') return undefined;
  const p = auth.principal;
  const base = { type: p.type, accountId: p.accountId, accessKeyId: auth.accessKeyId };
  if (p.type === 'RAMUser') return { ...base, userName: p.userName };
  if (p.type === 'AssumedRole') return { ...base, roleName: p.roleName, sessionName: p.sessionName };
  return base;
}

export function createRequestLog(level: LogLevel = 'info', fd = 1): RequestLog {
  const destination = pino.destination({ dest: fd, sync: false, minLength: 0 });
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return {
    logger,
    request(state, response, err, durationMs) {
      if (!logger.isLevelEnabled('info')) return;
      const o = requestOutcome(state, response, err, durationMs);
      logger.info(
        {
          requestId: state.requestId,
          service: o.service,
          action: o.action,
          principal: principalOf(state),
          result: o.code,
          decision: o.decision,
          status: response.status,
          sourceIp: state.wire.sourceIp,
          durationMs: Math.round(durationMs * 1000) / 1000,
        },
        'request',
      );
    },
    flush: () =>
      new Promise<void>((resolve) => {
        destination.flush((err) => {
          void err;
          resolve();
        });
      }),
  };
}
