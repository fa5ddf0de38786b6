/** Numeric family: NumericEquals, NumericNotEquals, NumericLessThan(Equals), NumericGreaterThan(Equals). */
import type { Scalar } from './string.js';

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** A decimal number (JSON number, or text such as "10", "-3", "2.5"); undefined otherwise. */
export function parseNumeric(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !DECIMAL.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export const numericEquals = (r: number, p: number): boolean => r === p;
export const numericLessThan = (r: number, p: number): boolean => r < p;
export const numericLessThanEquals = (r: number, p: number): boolean => r <= p;
export const numericGreaterThan = (r: number, p: number): boolean => r > p;
export const numericGreaterThanEquals = (r: number, p: number): boolean => r >= p;
