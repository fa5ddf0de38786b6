/**
 * The one reader of request headers on the request path (protocol, authentication, the V3
 * canonical request, the error writer), so every part of it sees the same value.
 */

/** Header values by lower-case name, as node:http gives them; a list for a repeated header. */
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The value of a header, by lower-case name; undefined when absent. The rule:
 *
 * - surrounding whitespace is not part of the value (RFC 9110 section 5.5), so it is trimmed;
 * - a header repeated on the wire reads as its values, each trimmed, joined with `, ` in the
 *   order received: the way node:http itself joins repeated headers and RFC 9110 (section
 *   5.3) combines field lines. A value reads the same whether it arrives as one string or as
 *   a list, and a repeated header never quietly stands for just one of its values.
 *
 * The V3 canonical request signs this same value, so what is verified is what is used.
 */
export function headerValue(headers: HeaderValues, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim();
  return v.length === 0 ? undefined : v.map((x) => x.trim()).join(', ');
}
