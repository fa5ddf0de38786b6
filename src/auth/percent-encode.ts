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
 * Decodes %XX escapes as UTF-8; `+` stays a plus sign. For paths (the OSS object key) and
 * the OSS query; RPC query and form text is read with formDecode. A malformed escape is kept
 * literally instead of failing the request.
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

/** Whether every run of %XX escapes in `text` decodes as UTF-8 (percentDecode keeps one that does not as written). */
export function escapesAreUtf8(text: string): boolean {
  if (!text.includes('%')) return true;
  for (const run of text.match(/(%[0-9a-fA-F]{2})+/g) ?? []) {
    try {
      decodeURIComponent(run);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Decodes one name or value of an RPC query string or form body the way
 * application/x-www-form-urlencoded defines it: `+` is a space, then %XX as UTF-8. Clients
 * built on standard form encoding (Go's url.Values, Python's urlencode, Java's URLEncoder)
 * sign a space as %20 but send it as `+`; a literal plus arrives as %2B from every client.
 */
export function formDecode(text: string): string {
  return percentDecode(text.includes('+') ? text.replace(/\+/g, ' ') : text);
}

/** The pairs of `a=1&b=2`, in wire order, at most `max` of them (the rest of the text is not read). */
function splitPairs(text: string, decode: (part: string) => string, max: number): [string, string][] {
  const pairs: [string, string][] = [];
  let start = 0;
  while (start < text.length && pairs.length < max) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const part = text.slice(start, end);
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      pairs.push([decode(name), decode(value)]);
    }
    start = end + 1;
  }
  return pairs;
}

/**
 * Splits an RPC query string or form body (`a=1&b=2`) into [name, value] pairs decoded with
 * formDecode (`+` is a space), in wire order. At most `max` pairs are read: a caller that
 * bounds the count passes its limit plus one and refuses a longer answer, so a body of
 * hundreds of thousands of pairs costs no more than the limit.
 */
export function parseFormEncoded(text: string, max = Infinity): [string, string][] {
  return splitPairs(text, formDecode, max);
}

/**
 * Splits an OSS query string into [name, value] pairs decoded with percentDecode (`+` stays a
 * plus sign, as the OSS signatures have always read it), in wire order.
 */
export function parseUrlEncoded(text: string): [string, string][] {
  return splitPairs(text, percentDecode, Infinity);
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
