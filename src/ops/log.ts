/**
 * The structured log: one JSON object per line on stdout (pino), one line per answered API
 * request with its request id, service, action, principal, result code, HTTP status, source
 * address and duration.
 *
 * What a line may hold is decided here, field by field, from the request's state after the
 * pipeline: identifiers (account, user or role name, AccessKeyId), never a parameter, header,
 * body, password, AccessKey secret, security token or MFA code. test/ops/observability.test.ts
 * scans the output of a real server for every secret it handed out.
 */
import pino, { type Logger } from 'pino';
import { ApiError } from '../errors.js';
import type { RequestState } from '../api/steps/state.js';
import type { WireResponse } from '../api/protocol/wire.js';
import type { LogLevel } from '../config.js';
import type { RequestObservation } from './metrics.js';

export interface RequestLog {
  readonly logger: Logger;
  /** One line for an answered API request, with what it came to (`requestOutcome`). */
  request(state: RequestState, response: WireResponse, outcome: RequestObservation): void;
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

/** Callers whose lines are written by a logger of their own (see `callerLoggers`). */
const MAX_CALLER_LOGGERS = 1024;

/**
 * A child logger per caller, whose `principal` field pino writes once, as the child's bindings,
 * instead of serializing the nested object for every line (more than half a line's cost). A
 * child is found by every value of the field, so a caller renamed gets a new one; the oldest
 * goes first past MAX_CALLER_LOGGERS. In the line, `principal` comes before the other fields.
 */
function callerLoggers(logger: Logger): (principal: Record<string, string> | undefined) => Logger {
  const children = new Map<string, Logger>();
  return (principal) => {
    if (!principal) return logger;
    const values = Object.values(principal);
    // The values joined name the caller only while none holds the separator.
    if (values.some((v) => typeof v !== 'string' || v.includes('\u0000'))) return logger.child({ principal });
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) {
      if (children.size >= MAX_CALLER_LOGGERS) children.delete(children.keys().next().value!);
      children.set(key, (child = logger.child({ principal })));
    }
    return child;
  };
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
  const loggerOf = callerLoggers(logger);
  return {
    logger,
    request(state, response, o) {
      if (!logger.isLevelEnabled('info')) return;
      loggerOf(principalOf(state)).info(
        {
          requestId: state.requestId,
          service: o.service,
          action: o.action,
          result: o.code,
          decision: o.decision,
          status: response.status,
          sourceIp: state.wire.sourceIp,
          durationMs: Math.round(o.seconds * 1e6) / 1000,
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
