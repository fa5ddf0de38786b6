import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Sealing: AES-256-GCM with a random 96-bit nonce. The sealed form is text:
 * `v1.<keyId>.<base64url(nonce | ciphertext | tag)>`. The key id lets a deployment rotate
 * its master key while older values stay readable. `context` is bound as additional
 * authenticated data, so a value sealed for one purpose (an AccessKey secret of one key
 * id, say) cannot be replayed as another.
 */
export interface Sealer {
  seal(plaintext: string | Uint8Array, context?: string): string;
  unseal(sealed: string, context?: string): Buffer;
  unsealText(sealed: string, context?: string): string;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealKey {
  readonly id: string;
  readonly key: Uint8Array; // 32 bytes
}

/** Builds a sealer. The first key seals; every key can unseal values bearing its id. */
export function createSealer(keys: readonly SealKey[]): Sealer {
  const [current] = keys;
  if (!current) throw new SealError('at least one sealing key is required');
  for (const k of keys) {
    if (k.key.length !== 32) throw new SealError(`sealing key ${k.id} must be 32 bytes`);
    if (!/^[A-Za-z0-9_-]+$/.test(k.id)) throw new SealError(`sealing key id ${k.id} is not a plain token`);
  }
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  function seal(plaintext: string | Uint8Array, context = ''): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current!.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const packed = Buffer.concat([nonce, body, cipher.getAuthTag()]);
    return `${VERSION}.${current!.id}.${packed.toString('base64url')}`;
  }

  function unseal(sealed: string, context = ''): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) throw new SealError('not a sealed value');
    const key = byId.get(parts[1]!);
    if (!key) throw new SealError('sealed under an unknown key');
    const packed = Buffer.from(parts[2]!, 'base64url');
    // Node's decoder skips what is not base64url and ignores stray bits: one sealed value has
    // exactly one spelling, the one seal() wrote.
    if (packed.toString('base64url') !== parts[2]) throw new SealError('not a sealed value');
    if (packed.length < NONCE_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
    const nonce = packed.subarray(0, NONCE_BYTES);
    const tag = packed.subarray(packed.length - TAG_BYTES);
    const body = packed.subarray(NONCE_BYTES, packed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new SealError('sealed value failed authentication');
    }
  }

  return {
    seal,
    unseal,
    unsealText: (sealed, context) => unseal(sealed, context).toString('utf8'),
  };
}

/** The id of the key a sealed value was sealed under, or undefined for text that is not sealed. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 3 && parts[0] === VERSION ? parts[1] : undefined;
}

/** Parses a master key given as 64 hex characters or base64 of 32 bytes. */
export function parseMasterKey(text: string): Uint8Array {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  if (b.length === 32) return b;
  throw new SealError('the master key must be 32 bytes, written as 64 hex characters or base64');
}

/**
 * Parses a list of master keys: one per line (or separated by commas or spaces), `#` starting
 * a comment line. The first key seals; the others only unseal (a rotation in progress).
 */
export function parseMasterKeys(text: string): Uint8Array[] {
  const words = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join(' ')
    .split(/[\s,]+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) throw new SealError('no master key: the text is empty');
  return words.map(parseMasterKey);
}

export function generateMasterKey(): Uint8Array {
  return randomBytes(32);
}
