import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (signatures, tokens, codes) in time that does not depend on where
 * they differ. Both sides are hashed first so that unequal lengths leak nothing either.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
