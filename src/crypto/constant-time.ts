import { timingSafeEqual } from 'node:crypto';
import { sha256Bytes } from './digest.js';

/**
 * Compares two secrets (signatures, tokens, codes) in time that does not depend on where
 * they differ. Both sides are hashed first so that unequal lengths leak nothing either.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(sha256Bytes(a), sha256Bytes(b));
}
