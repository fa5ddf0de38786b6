import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n random letters and digits (uniform; rejection sampling). */
export function randomAlnum(n: number): string {
  let s = '';
  while (s.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && s.length < n) s += ALNUM[b % 62];
    }
  }
  return s;
}
