/**
 * Text rules shared by every layer (domain, auth, api), with no imports of ours.
 */

/**
 * A-Z lower-cased, nothing else: how names, domains and aliases are compared ignoring case.
 * A letter of another script that lower-cases to ASCII (U+212A KELVIN SIGN to `k`) stays as
 * it is, so it never matches an ASCII name and fails an ASCII-only rule checked after it.
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** XML's five predefined entities, by name. */
export const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);

/** A character XML 1.0 allows (production [2] Char). */
export const isXmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

/**
 * An XML value (text or attribute) with its references decoded once (`&amp;` is `&`,
 * `&#38;amp;` is `&amp;`), for parsers that leave them as written because they must not expand
 * entities (SAML responses and metadata, whose DTDs are refused). Only the five predefined
 * entities and references to characters XML allows; anything else (`&nbsp;`, `&#0;`, a bare
 * `&` of a carelessly written URL) stays as written.
 */
export function decodeXmlReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(
    /&(?:([a-z]+)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g,
    (whole, name?: string, dec?: string, hex?: string) => {
      if (name !== undefined) return PREDEFINED_ENTITIES.get(name) ?? whole;
      const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
    },
  );
}
