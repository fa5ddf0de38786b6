/** Bool family. */
import type { Scalar } from './string.js';

/** JSON true/false, or the text "true"/"false" in any case; undefined otherwise. */
export function parseBool(v: Scalar): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const l = v.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

export const boolEquals = (r: boolean, p: boolean): boolean => r === p;
