/** Condition key names: canonical form and the request-context lookup (policy-language.md 2.5, 3). */
import type { ContextValue, RequestContext } from '../request.js';

const TAG_PREFIXES = ['acs:requesttag/', 'acs:resourcetag/'];

/**
 * Key names compare case-insensitively, except the tag key after `acs:RequestTag/` or
 * `acs:ResourceTag/`, which is case-sensitive (tag keys are).
 */
export function canonicalKey(key: string): string {
  const lower = key.toLowerCase();
  for (const prefix of TAG_PREFIXES) {
    if (lower.startsWith(prefix)) return prefix + key.slice(prefix.length);
  }
  return lower;
}

/** Global keys Rampart puts into every request context where they apply. */
export const GLOBAL_KEYS: readonly string[] = [
  'acs:CurrentTime',
  'acs:SecureTransport',
  'acs:SourceIp',
  'acs:UserAgent',
  'acs:Referer',
  'acs:MFAPresent',
  'acs:SourceVpc',
  'acs:VpcSourceIp',
  'acs:AccessId',
  'acs:PrincipalARN',
  'acs:PrincipalAccount',
  'acs:PrincipalRAMUserId',
  'acs:RequestTag/<key>',
  'acs:ResourceTag/<key>',
  'acs:TagKeys',
  'acs:Service',
];

/**
 * The request values of a condition key: every context entry whose name has the same
 * canonical form, in the context's own order (normally exactly one). Empty when absent.
 */
export function contextValues(
  context: RequestContext,
  canonical: string,
): readonly (string | number | boolean)[] {
  let found: ContextValue | undefined;
  let merged: (string | number | boolean)[] | undefined;
  for (const k in context) {
    if (!Object.prototype.hasOwnProperty.call(context, k) || !sameKey(k, canonical)) continue;
    const v = context[k] as ContextValue;
    if (found === undefined) found = v;
    else {
      merged ??= [...found.values];
      merged.push(...v.values);
    }
  }
  return merged ?? found?.values ?? EMPTY;
}

const EMPTY: readonly (string | number | boolean)[] = [];

/** canonicalKey(k) === canonical, without allocating for plain ASCII names. */
export function sameKey(k: string, canonical: string): boolean {
  const n = k.length;
  // Lower-casing changes the length only for U+0130 (capital I with dot above).
  if (n !== canonical.length) return k.includes('\u0130') && canonicalKey(k) === canonical;
  let tagEnd = 0;
  if (n > 15 && (canonical.startsWith('acs:requesttag/') || canonical.startsWith('acs:resourcetag/'))) {
    tagEnd = canonical.indexOf('/') + 1;
  }
  for (let i = 0; i < n; i++) {
    let c = k.charCodeAt(i);
    const d = canonical.charCodeAt(i);
    if (c === d) continue;
    if (c >= 128) return canonicalKey(k) === canonical;
    if (tagEnd > 0 && i >= tagEnd) return false;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== d) return false;
  }
  return true;
}
