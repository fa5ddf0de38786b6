/** Date family: DateEquals, DateNotEquals, DateLessThan(Equals), DateGreaterThan(Equals). */
import type { Scalar } from './string.js';

const ISO =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?)?$/;
const EPOCH = /^[0-9]{1,12}$/;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime();
}

/**
 * An instant in epoch milliseconds (fractions kept), from ISO 8601 with `Z` or an offset,
 * without a zone (UTC), a date alone (midnight UTC), or epoch seconds (integer, text or
 * JSON number). Undefined when the value is not a date.
 */
export function parseDate(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  if (EPOCH.test(v)) return Number(v) * 1000;
  const m = ISO.exec(v);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  return utc(y, mo, d, h, mi, s) - offsetMin * 60_000 + frac;
}

export const dateEquals = (r: number, p: number): boolean => r === p;
export const dateLessThan = (r: number, p: number): boolean => r < p;
export const dateLessThanEquals = (r: number, p: number): boolean => r <= p;
export const dateGreaterThan = (r: number, p: number): boolean => r > p;
export const dateGreaterThanEquals = (r: number, p: number): boolean => r >= p;
