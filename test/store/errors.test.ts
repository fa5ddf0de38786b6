/**
 * Which failures of the store mean "it could not answer, try again" (503 ServiceUnavailable)
 * rather than a fault of the server (500): the driver's own codes, as node-postgres and
 * better-sqlite3 report them.
 */
import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from '../../src/store/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    ['ECONNREFUSED', 'the database refuses connections'],
    ['08006', 'the connection failed'],
    ['57P01', 'an administrator ended the session'],
    ['57P03', 'the database is starting'],
    ['57P05', 'the database ended an idle session'],
    ['53300', "no connection slot left (max_connections, or a role's CONNECTION LIMIT)"],
    ['53100', 'the disk is full'],
    ['53200', 'the database is out of memory'],
    ['55000', 'the database does not accept connections (ALLOW_CONNECTIONS false)'],
    ['57014', 'a statement ran past its timeout'],
    ['SQLITE_BUSY', "SQLite's busy timeout ran out"],
  ])('%s (%s) is unavailable', (code) => {
    expect(isStoreUnavailable(withCode(code))).toBe(true);
    // Also when it is the cause of another error, or one of an AggregateError's.
    expect(isStoreUnavailable(new Error('wrapped', { cause: withCode(code) }))).toBe(true);
  });

  it.each([
    ['23505', 'a unique violation'],
    ['23503', 'a foreign-key violation'],
    ['22021', 'bytes that are not UTF-8'],
    ['42P01', 'a missing table'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'a unique violation'],
  ])('%s (%s) is not', (code) => {
    expect(isStoreUnavailable(withCode(code))).toBe(false);
  });
});
