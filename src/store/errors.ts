/** True when err is a unique-constraint violation of either driver. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // better-sqlite3: SQLITE_CONSTRAINT_UNIQUE / SQLITE_CONSTRAINT_PRIMARYKEY; pg: SQLSTATE 23505.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * True when err is a foreign-key violation of either driver: a row refers to one that is gone,
 * or a deleted row is still referred to.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // better-sqlite3: SQLITE_CONSTRAINT_FOREIGNKEY; pg: SQLSTATE 23503.
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** The name of the violated constraint when the driver says it (pg), else undefined. */
export function violatedConstraint(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const c = (err as { constraint?: unknown }).constraint;
  if (typeof c === 'string') return c;
  const m = /UNIQUE constraint failed: (.*)$/.exec(String((err as { message?: unknown }).message ?? ''));
  return m?.[1];
}

/** Socket-level failures: the database is down, restarting, or out of reach. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What node-postgres says when a connection cannot be made or was lost (it sets no code). */
const UNREACHABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Query read timeout',
];

/**
 * True when err means the store could not answer, through no fault of the request: the
 * database is unreachable (refused, reset, lost, connect timeout), shutting down or starting
 * (SQLSTATE class 08, 57P01-57P03), ended an idle session (57P05), is out of a resource such as
 * connection slots, memory or disk (class 53: several nodes' pools over max_connections or a
 * role's connection limit), is closed to new connections (55000, ALLOW_CONNECTIONS false), a
 * statement ran past its timeout (57014), or SQLite's busy timeout ran out. The request may be
 * retried as it is.
 */
export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code)) return true;
    if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1235]$/.test(code) || code === '55000') return true;
    if (code === '57014' || code === 'SQLITE_BUSY') return true;
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((m) => message.includes(m))) return true;
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.some((e) => isStoreUnavailable(e, depth + 1))) return true;
  return isStoreUnavailable((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * True when the store refused a statement for what its rows hold, not because it cannot write
 * or because of what else is stored: PostgreSQL's data exceptions (SQLSTATE class 22) and
 * not-null and check violations, SQLite's not-null, check, type and size refusals. Sent again,
 * the same rows are refused again. (A unique violation depends on the rows already there, so it
 * is not one.)
 */
export function isRefusedData(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return /^22[0-9A-Z]{3}$/.test(code) || REFUSED_DATA_CODES.has(code);
}

const REFUSED_DATA_CODES = new Set([
  '23502',
  '23514',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_MISMATCH',
  'SQLITE_TOOBIG',
]);
