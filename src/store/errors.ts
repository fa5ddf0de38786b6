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
