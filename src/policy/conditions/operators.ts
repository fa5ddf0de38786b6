/** The 21 condition operators of RAM, their families and pair rules (policy-language.md section 4). */
import { compileGlob } from '../glob.js';
import { boolEquals, parseBool } from './bool.js';
import {
  dateEquals,
  dateGreaterThan,
  dateGreaterThanEquals,
  dateLessThan,
  dateLessThanEquals,
  parseDate,
} from './date.js';
import { ipInRange, parseIpAddress, parseIpRange, type IpAddress, type IpRange } from './ip.js';
import {
  numericEquals,
  numericGreaterThan,
  numericGreaterThanEquals,
  numericLessThan,
  numericLessThanEquals,
  parseNumeric,
} from './numeric.js';
import {
  foldCase,
  parseString,
  stringEquals,
  stringEqualsIgnoreCase,
  stringLike,
  type Scalar,
} from './string.js';

export type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'IP';
export type Qualifier = 'ForAnyValue' | 'ForAllValues';

/**
 * One operator. `parsePolicy` reads a policy value (undefined: malformed), `parseRequest` a
 * request value (undefined: never matches), `test` is the pair rule of the base
 * (non-negated) comparison, `prepare` builds a fast "matches any policy value" test.
 */
export interface OperatorSpec<P = unknown, R = unknown> {
  readonly name: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly parsePolicy: (v: Scalar) => P | undefined;
  readonly parseRequest: (v: Scalar) => R | undefined;
  readonly test: (r: R, p: P) => boolean;
  readonly prepare: (ps: readonly P[]) => (r: R) => boolean;
  /** How a policy value must look, for error messages. */
  readonly expects: string;
}

function anyOf<P, R>(test: (r: R, p: P) => boolean) {
  return (ps: readonly P[]) =>
    ps.length === 1
      ? (r: R) => test(r, ps[0] as P)
      : (r: R) => {
          for (let i = 0; i < ps.length; i++) if (test(r, ps[i] as P)) return true;
          return false;
        };
}

function op<P, R>(
  name: string,
  family: Family,
  negated: boolean,
  parsePolicy: (v: Scalar) => P | undefined,
  parseRequest: (v: Scalar) => R | undefined,
  test: (r: R, p: P) => boolean,
  expects: string,
  prepare: (ps: readonly P[]) => (r: R) => boolean = anyOf(test),
): OperatorSpec<P, R> {
  return { name, family, negated, parsePolicy, parseRequest, test, prepare, expects };
}

const S = 'a string';
const N = 'a decimal number';
const D = 'an ISO 8601 date, date-time or epoch seconds';
const B = 'true or false';
const I = 'an IPv4/IPv6 address or CIDR block';

const setOf = (ps: readonly string[]) => {
  const set = new Set(ps);
  return (r: string) => set.has(r);
};
const foldedSetOf = (ps: readonly string[]) => {
  const set = new Set(ps.map(foldCase));
  return (r: string) => set.has(foldCase(r));
};
const likeAnyOf = (ps: readonly string[]) => {
  const ms = ps.map(compileGlob);
  return (r: string) => {
    for (let i = 0; i < ms.length; i++) if ((ms[i] as (s: string) => boolean)(r)) return true;
    return false;
  };
};
const ipAnyOf = (ps: readonly IpRange[]) => anyOf<IpRange, IpAddress>((r, p) => ipInRange(r, p))(ps);

const LIST: readonly OperatorSpec<never, never>[] = [
  op('StringEquals', 'String', false, parseString, parseString, stringEquals, S, setOf),
  op('StringNotEquals', 'String', true, parseString, parseString, stringEquals, S, setOf),
  op(
    'StringEqualsIgnoreCase',
    'String',
    false,
    parseString,
    parseString,
    stringEqualsIgnoreCase,
    S,
    foldedSetOf,
  ),
  op(
    'StringNotEqualsIgnoreCase',
    'String',
    true,
    parseString,
    parseString,
    stringEqualsIgnoreCase,
    S,
    foldedSetOf,
  ),
  op('StringLike', 'String', false, parseString, parseString, stringLike, S, likeAnyOf),
  op('StringNotLike', 'String', true, parseString, parseString, stringLike, S, likeAnyOf),
  op('NumericEquals', 'Numeric', false, parseNumeric, parseNumeric, numericEquals, N),
  op('NumericNotEquals', 'Numeric', true, parseNumeric, parseNumeric, numericEquals, N),
  op('NumericLessThan', 'Numeric', false, parseNumeric, parseNumeric, numericLessThan, N),
  op('NumericLessThanEquals', 'Numeric', false, parseNumeric, parseNumeric, numericLessThanEquals, N),
  op('NumericGreaterThan', 'Numeric', false, parseNumeric, parseNumeric, numericGreaterThan, N),
  op('NumericGreaterThanEquals', 'Numeric', false, parseNumeric, parseNumeric, numericGreaterThanEquals, N),
  op('DateEquals', 'Date', false, parseDate, parseDate, dateEquals, D),
  op('DateNotEquals', 'Date', true, parseDate, parseDate, dateEquals, D),
  op('DateLessThan', 'Date', false, parseDate, parseDate, dateLessThan, D),
  op('DateLessThanEquals', 'Date', false, parseDate, parseDate, dateLessThanEquals, D),
  op('DateGreaterThan', 'Date', false, parseDate, parseDate, dateGreaterThan, D),
  op('DateGreaterThanEquals', 'Date', false, parseDate, parseDate, dateGreaterThanEquals, D),
  op('Bool', 'Bool', false, parseBool, parseBool, boolEquals, B),
  op('IpAddress', 'IP', false, parseIpRange, parseIpAddress, ipInRange, I, ipAnyOf),
  op('NotIpAddress', 'IP', true, parseIpRange, parseIpAddress, ipInRange, I, ipAnyOf),
] as unknown as readonly OperatorSpec<never, never>[];

export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map(
  LIST.map((o) => [o.name, o as unknown as OperatorSpec]),
);

export const OPERATOR_NAMES: readonly string[] = LIST.map((o) => o.name);

export interface ParsedOperator {
  readonly qualifier: Qualifier | undefined;
  readonly spec: OperatorSpec;
}

/** Reads `[ForAnyValue:|ForAllValues:]Name`, spelled exactly; undefined when unknown. */
export function parseOperator(text: string): ParsedOperator | undefined {
  let qualifier: Qualifier | undefined;
  let name = text;
  if (text.startsWith('ForAnyValue:')) {
    qualifier = 'ForAnyValue';
    name = text.slice('ForAnyValue:'.length);
  } else if (text.startsWith('ForAllValues:')) {
    qualifier = 'ForAllValues';
    name = text.slice('ForAllValues:'.length);
  }
  const spec = OPERATORS.get(name);
  return spec ? { qualifier, spec } : undefined;
}
