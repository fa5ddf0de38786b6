/**
 * Wildcard matching used by Action, Resource and StringLike: `*` is any run of characters
 * (including none, crossing `:` and `/`), `?` is exactly one character (one code point).
 * No escape syntax. Matching is exact on code units apart from the wildcards; callers
 * lower-case both sides first when the comparison is case-insensitive.
 */

function step(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** The reference matcher: iterative, backtracking only to the last `*`. */
export function globMatch(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  const pn = pattern.length;
  const sn = s.length;
  while (i < sn) {
    if (p < pn) {
      const pc = pattern.charCodeAt(p);
      if (pc === 42 /* * */) {
        starP = p++;
        starI = i;
        continue;
      }
      if (pc === 63 /* ? */) {
        p++;
        i += step(s, i);
        continue;
      }
      if (pc === s.charCodeAt(i)) {
        p++;
        i++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    starI += step(s, starI);
    i = starI;
  }
  while (p < pn && pattern.charCodeAt(p) === 42) p++;
  return p === pn;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export type Matcher = (s: string) => boolean;

const always: Matcher = () => true;

/** Compiles a pattern into the cheapest equivalent test; agrees with globMatch. */
export function compileGlob(pattern: string): Matcher {
  if (!pattern.includes('?')) {
    const first = pattern.indexOf('*');
    if (first < 0) return (s) => s === pattern;
    if (/^\*+$/.test(pattern)) return always;
    const last = pattern.lastIndexOf('*');
    const middle = pattern.slice(first, last + 1);
    if (/^\*+$/.test(middle)) {
      const prefix = pattern.slice(0, first);
      const suffix = pattern.slice(last + 1);
      const min = prefix.length + suffix.length;
      if (suffix === '') return (s) => s.startsWith(prefix);
      if (prefix === '') return (s) => s.endsWith(suffix);
      return (s) => s.length >= min && s.startsWith(prefix) && s.endsWith(suffix);
    }
  }
  return (s) => globMatch(pattern, s);
}
