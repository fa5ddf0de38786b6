/**
 * The percent-encoding every Alibaba Cloud signature uses: UTF-8 bytes, unreserved
 * characters (A-Z a-z 0-9 - _ . ~) kept, every other byte as %XX with upper-case hex.
 * Space is %20 (never +), * is %2A.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Decodes query or form text. `+` stays a plus sign (no official client sends `+` for a
 * space). A malformed escape is kept literally instead of failing the request.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Splits `a=1&b=2` into decoded [name, value] pairs, in wire order. */
export function parseUrlEncoded(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (!text) return pairs;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([percentDecode(name), percentDecode(value)]);
  }
  return pairs;
}

/** Byte-order comparison of parameter names (names are ASCII in practice). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `name=value&...` with both sides encoded, sorted by name (then by value for repeats). */
export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return [...pairs]
    .sort((x, y) => compareNames(x[0], y[0]) || compareNames(x[1], y[1]))
    .map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`)
    .join('&');
}
