/** String family: StringEquals, StringNotEquals, ...IgnoreCase, StringLike, StringNotLike. */
import { globMatch } from '../glob.js';

export type Scalar = string | number | boolean;

/** Policy and request values as text: JSON numbers and booleans by their JSON text. */
export function parseString(v: Scalar): string {
  return typeof v === 'string' ? v : String(v);
}

/** Case folding used by the IgnoreCase operators (Unicode lower case of the whole text). */
export function foldCase(s: string): string {
  return s.toLowerCase();
}

export const stringEquals = (r: string, p: string): boolean => r === p;
export const stringEqualsIgnoreCase = (r: string, p: string): boolean => foldCase(r) === foldCase(p);
export const stringLike = (r: string, p: string): boolean => globMatch(p, r);
