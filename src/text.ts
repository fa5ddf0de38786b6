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
