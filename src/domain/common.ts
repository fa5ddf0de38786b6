import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { apiError, apiErrorWithStatus, paramError, type ApiError } from '../errors.js';
import { isUniqueViolation, type Tx } from '../store/index.js';
import { isForeignKeyViolation, violatedConstraint } from '../store/errors.js';
import type { Page, PageRequest, Quotas } from './index.js';
import type { DomainContext } from './context.js';
import { asciiLowerCase } from '../text.js';

// ---------------------------------------------------------------------------------------------
// Time and ids

/** ISO 8601 UTC with second precision, as the service writes dates. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nowIso(ctx: DomainContext): string {
  return isoSeconds(ctx.clock());
}

/** n random decimal digits, the first not 0. */
export function randomDigits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

export { randomAlnum } from '../crypto/random.js';

/**
 * The key a name is found by, ignoring case: A-Z lower-cased, nothing else. Every name this
 * key serves (users, groups, roles, policies, MFA devices, identity providers, control
 * policies, workloads) is ASCII by its rule, so stored keys are what `toLowerCase` gave them;
 * a name with a letter of another script that lower-cases to ASCII (the Kelvin sign) keeps
 * that letter and so finds no entity.
 */
export const nameKey = (name: string): string => asciiLowerCase(name);

// ---------------------------------------------------------------------------------------------
// Errors

export const invalid = (message: string): ApiError => apiError('InvalidParameter', message);

/** Runs fn; a unique-constraint violation becomes the given error. */
export async function uniquely<T>(fn: () => Promise<T>, onConflict: () => Error): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw onConflict();
    throw err;
  }
}

/**
 * Runs fn; a foreign-key violation (a row it inserts refers to one that is gone, or a row it
 * deletes is still referred to) becomes the error onBroken gives for the violated constraint
 * (named by PostgreSQL; undefined on SQLite). The locks of the domain make this a last line:
 * the database's own rule, answered with the service's code instead of an internal error.
 */
export async function referencing<T>(
  fn: () => Promise<T>,
  onBroken: (constraint: string | undefined) => Error,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isForeignKeyViolation(err)) throw onBroken(violatedConstraint(err));
    throw err;
  }
}

/** LimitExceeded.Tag is not in the catalogue; 409 like every other LimitExceeded. */
export const tagLimitExceeded = (message: string): ApiError =>
  apiErrorWithStatus('LimitExceeded.Tag', 409, message);

// ---------------------------------------------------------------------------------------------
// Input rules shared by several entities

export function checkLength(value: string, min: number, max: number, code: string, message: string): void {
  const n = [...value].length;
  if (n < min || n > max) throw apiError(code, message);
}

export function checkChars(value: string, re: RegExp, code: string, message: string): void {
  if (!re.test(value)) throw apiError(code, message);
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * The one rule for control characters in free text (display names, comments, descriptions, tag
 * keys and values, e-mail addresses): C0 control characters other than tab, line feed and
 * carriage return, and DEL, are refused. The same on every store: PostgreSQL cannot keep a NUL
 * in text at all, and none of them belongs in these fields.
 */
export function hasControlChars(text: string): boolean {
  return CONTROL_CHARS.test(text);
}

/**
 * Refuses free text that breaks the control-character rule: the error is `code` (by default
 * `InvalidParameter.<param>.InvalidChars`, beside the field's `.Length` code), with the
 * service's "contains invalid chars" message naming the parameter.
 */
export function checkFreeText(
  value: string | undefined,
  param: string,
  code = `InvalidParameter.${param}.InvalidChars`,
): void {
  if (value !== undefined && hasControlChars(value)) {
    throw paramError(code, `The parameter - "${param}" contains invalid chars.`);
  }
}

export function optionalText(v: string | undefined | null): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : v;
}

/** An optional text as stored: null when missing or empty. */
export function blankToNull(v: string | undefined): string | null {
  return v === undefined || v === '' ? null : v;
}

// ---------------------------------------------------------------------------------------------
// Paging: the marker is base64url of the last name key returned.

export function pageSize(page: PageRequest | undefined, max: number, dflt = 100): number {
  const n = page?.maxItems ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw invalid(`The parameter - "MaxItems" MUST be in the range of 1 and ${max}.`);
  }
  return n;
}

/** The name key a marker holds; InvalidParameter naming `param` (the paging parameter) when it is not one. */
export function decodeMarker(marker: string | undefined, param = 'Marker'): string | undefined {
  if (marker === undefined || marker === '') return undefined;
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (
    !text.startsWith('k:') ||
    hasControlChars(text) ||
    Buffer.from(text, 'utf8').toString('base64url') !== marker
  ) {
    throw invalid(`The parameter - "${param}" is invalid.`);
  }
  return text.slice(2);
}

export function encodeMarker(key: string): string {
  return Buffer.from(`k:${key}`, 'utf8').toString('base64url');
}

/** Builds a page from rows fetched with limit+1, keyed by keyOf. */
export function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  keyOf: (r: R) => string,
  map: (r: R) => T,
): Page<T> {
  const truncated = rows.length > limit;
  const kept = truncated ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    isTruncated: truncated,
    ...(truncated && last !== undefined ? { marker: encodeMarker(keyOf(last)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Account-wide state

/**
 * Serializes writers of one account. On PostgreSQL it locks the account row (so quota
 * counts and version bumps of concurrent transactions never interleave); on SQLite the
 * transaction already holds the database write lock.
 */
export async function lockAccount(ctx: DomainContext, tx: Tx, accountId: string): Promise<void> {
  const q = tx.selectFrom('accounts').select('account_id').where('account_id', '=', accountId);
  const row =
    ctx.store.dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : await q.executeTakeFirst();
  if (!row) throw invalid(`The account does not exist: ${accountId}.`);
}

/** Increases the account's permissions version (same transaction as the change). */
export async function bumpPermissions(tx: Tx, accountId: string): Promise<void> {
  await tx
    .updateTable('accounts')
    .set({ permissions_version: sql`permissions_version + 1` })
    .where('account_id', '=', accountId)
    .execute();
}

export async function accountQuotas(ctx: DomainContext, tx: Tx, accountId: string): Promise<Quotas> {
  const row = await tx
    .selectFrom('accounts')
    .select('quotas')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const overrides = row?.quotas ? (JSON.parse(row.quotas) as Partial<Quotas>) : {};
  return { ...ctx.quotas, ...overrides };
}

/** The entities an account counts: the accounts column holding each count, and its quota. */
const COUNTED = {
  users: { column: 'user_count', quota: 'usersPerAccount', key: 'user_id' },
  user_groups: { column: 'group_count', quota: 'groupsPerAccount', key: 'group_id' },
  roles: { column: 'role_count', quota: 'rolesPerAccount', key: 'role_id' },
  policies: { column: 'policy_count', quota: 'customPoliciesPerAccount', key: 'policy_id' },
  mfa_devices: { column: 'mfa_device_count', quota: 'virtualMFADevicesPerAccount', key: 'name_key' },
} as const;

export type CountedTable = keyof typeof COUNTED;

/**
 * How many rows of the table the account has, read from its counter (one row, whatever
 * the count). Call it after lockAccount, so no other writer moves the counter meanwhile.
 */
async function countRows(tx: Tx, table: CountedTable, accountId: string): Promise<number> {
  const { column } = COUNTED[table];
  const row = await tx
    .selectFrom('accounts')
    .select(column)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(row?.[column] ?? 0);
}

/**
 * Refuses one more row of the table when the account is at its quota for it (the error
 * full(max) is thrown). Call it after lockAccount.
 */
export async function requireRoom(
  ctx: DomainContext,
  tx: Tx,
  table: CountedTable,
  accountId: string,
  full: (max: number) => Error,
): Promise<void> {
  const max = (await accountQuotas(ctx, tx, accountId))[COUNTED[table].quota];
  if ((await countRows(tx, table, accountId)) >= max) throw full(max);
}

/**
 * Moves the account's counter of the table by delta; called in the transaction that inserts
 * (+1) or deletes (minus the rows deleted) rows of that table.
 */
export async function addToCount(
  tx: Tx,
  table: CountedTable,
  accountId: string,
  delta: number,
): Promise<void> {
  if (delta === 0) return;
  const { column } = COUNTED[table];
  await tx
    .updateTable('accounts')
    .set({ [column]: sql<number>`${sql.ref(column)} + ${delta}` })
    .where('account_id', '=', accountId)
    .execute();
}

/**
 * Deletes one counted row by its key (user_id, group_id, role_id, policy_id; name_key for MFA
 * devices) and moves the account's counter by what was really removed, so two nodes deleting
 * the same row count it out once.
 */
export async function deleteCounted(
  tx: Tx,
  table: CountedTable,
  accountId: string,
  key: string,
): Promise<void> {
  const deleted = await tx
    .deleteFrom(table)
    .where('account_id', '=', accountId)
    .where(sql.ref(COUNTED[table].key), '=', key)
    .executeTakeFirst();
  await addToCount(tx, table, accountId, -Number(deleted.numDeletedRows));
}

/** The default domain of an account: `<alias>.onaliyun.com`, else `<accountId>.onaliyun.com`. */
export function defaultDomain(accountId: string, alias: string | null | undefined): string {
  return `${alias ?? accountId}.onaliyun.com`;
}

export async function accountDomain(tx: Tx, accountId: string): Promise<string> {
  const row = await tx
    .selectFrom('accounts')
    .select('alias')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return defaultDomain(accountId, row?.alias);
}
