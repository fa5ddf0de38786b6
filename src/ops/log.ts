/**
 * The structured log: one JSON object per line on stdout (pino), one line per answered API
 * request with its request id, service, action, principal, result code, HTTP status, source
 * address and duration.
 *
 * What a line may hold is decided here, field by field, from the request's state after the
 * pipeline: identifiers (account, user or role name, AccessKeyId), never a parameter, header,
 * body, password, AccessKey secret, security token or MFA code. test/ops/observability.test.ts scans the
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
  /**
   * Writes what is buffered and closes the log (at shutdown). Whatever stdout has not taken
   * within timeoutMs is dropped, and the drop said on stderr: a reader that stopped reading
   * cannot hold up the shutdown.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Drops what is buffered without writing it (the process ends now). */
  abandon(): void;
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

let fieldMs = NaN;
let field = '';

/** pino's ISO time field, made once per millisecond: the lines of that millisecond share it. */
function isoTimeField(): string {
  const ms = Date.now();
  if (ms !== fieldMs) {
    field = `,"time":"${new Date(ms).toISOString()}"`;
    fieldMs = ms;
  }
  return field;
}

/** The most log output held in memory while stdout is not being read. */
export const LOG_BUFFER_BYTES = 8 * 1024 * 1024;

export function createRequestLog(level: LogLevel = 'info', fd = 1): RequestLog {
  // A reader of stdout that stops reading (a stuck journal, a pipe nobody drains) must not make
  // the server hold an ever larger buffer: past LOG_BUFFER_BYTES, lines are dropped, and the
  // drops are counted on stderr at most once a minute.
  let abandoned = false;
  const destination = pino.destination({
    dest: fd,
    sync: false,
    minLength: 0,
    maxLength: LOG_BUFFER_BYTES,
    // A full pipe is retried until the log is abandoned at shutdown, then given up.
    retryEAGAIN: () => !abandoned,
    // Lines are queued as bytes (see `lines` below).
    contentMode: 'buffer',
  });
  function abandon(): void {
    if (abandoned) return;
    abandoned = true;
    // Closing with writes pending may report an error; nothing is left to tell it to.
    destination.on('error', () => undefined);
    destination.destroy();
  }
  let dropped = 0;
  let saidAt = 0;
  destination.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - saidAt < 60_000) return;
    saidAt = now;
    process.stderr.write(`rampart: stdout is not being read; ${dropped} request log line(s) dropped\n`);
    dropped = 0;
  });
  // Each line goes to the destination as its bytes. Queued as text, every line would measure
  // the text still waiting (sonic-boom adds it to one growing string and takes its byte length
  // at each write): under load, kilobytes copied per line, a large share of a request's cost.
  // `write` is looked up at each line: the destination replaces it when stdout is closed.
  // (In buffer mode sonic-boom takes Buffers; its types speak of strings only.)
  const byteSink = destination as unknown as { write(bytes: Buffer): boolean };
  const lines = { write: (line: string) => byteSink.write(Buffer.from(line, 'utf8')) };
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: isoTimeField,
      formatters: { level: (label) => ({ level: label }) },
    },
    lines,
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
    close: (timeoutMs = 1000) =>
      new Promise<void>((resolve) => {
        const late = setTimeout(() => {
          process.stderr.write('rampart: stdout is not being read; the rest of the request log is dropped\n');
          abandon();
          resolve();
        }, timeoutMs);
        destination.once('close', () => {
          clearTimeout(late);
          resolve();
        });
        destination.end();
      }),
    abandon,
  };
}
