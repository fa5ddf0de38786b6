import { timingSafeEqual } from 'node:crypto';
import { sha256Bytes } from './digest.js';

/**
 * Compares two secrets (tokens, codes, stamps) in time that does not depend on where they
 * differ. Both sides are hashed first so that unequal lengths leak nothing either.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(sha256Bytes(a), sha256Bytes(b));
}

/**
 * Compares a computed signature or digest with the one a request presents, in time that does
 * not depend on where they differ. The expected value's length is public (a signature
 * algorithm fixes it), so two values of different lengths are simply unequal; equal lengths
 * are compared byte by byte without the two hashes constantTimeEqual spends on every call.
 */
export function equalSignatures(expected: string, presented: string): boolean {
  if (expected.length !== presented.length) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
