import * as crypto from 'node:crypto';

/**
 * SHA-256 in one call. Node's one-shot `crypto.hash` (20.12 and later) skips the Hash object
 * that `createHash` allocates, which matters on the request path (several digests a request);
 * older Node 20 releases use `createHash`.
 */
const oneShot:
  ((algorithm: string, data: crypto.BinaryLike, encoding: 'hex' | 'buffer') => string | Buffer) | undefined =
  typeof crypto.hash === 'function' ? (crypto.hash as never) : undefined;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShot
    ? (oneShot('sha256', data, 'hex') as string)
    : crypto.createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: string | Uint8Array): Buffer {
  return oneShot
    ? (oneShot('sha256', data, 'buffer') as Buffer)
    : crypto.createHash('sha256').update(data).digest();
}
