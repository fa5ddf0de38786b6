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

/** Leftmost-first matching of `*`-separated literal segments (patterns without `?`). */
function segmentMatcher(segments: readonly string[]): Matcher {
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((m) => m !== '');
  const min = segments.reduce((n, m) => n + m.length, 0);
  return (s) => {
    if (s.length < min || !s.startsWith(first) || !s.endsWith(last)) return false;
    let at = first.length;
    const end = s.length - last.length;
    for (let i = 0; i < middle.length; i++) {
      const m = middle[i] as string;
      const found = s.indexOf(m, at);
      if (found < 0 || found + m.length > end) return false;
      at = found + m.length;
    }
    return true;
  };
}

/** Compiles a pattern into the cheapest equivalent test; agrees with globMatch. */
export function compileGlob(pattern: string): Matcher {
  if (pattern.includes('?')) return (s) => globMatch(pattern, s);
  const segments = pattern.split('*');
  if (segments.length === 1) return (s) => s === pattern;
  if (segments.every((m) => m === '')) return always;
  const [first, last] = [segments[0] as string, segments[segments.length - 1] as string];
  if (segments.length === 2 || segments.slice(1, -1).every((m) => m === '')) {
    if (last === '') return (s) => s.startsWith(first);
    if (first === '') return (s) => s.endsWith(last);
    const min = first.length + last.length;
    return (s) => s.length >= min && s.startsWith(first) && s.endsWith(last);
  }
  return segmentMatcher(segments);
}
