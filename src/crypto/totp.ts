import { authenticator } from 'otplib';
import { constantTimeEqual } from './constant-time.js';

/**
 * Time-based one-time passwords (RFC 6238): HMAC-SHA1, 6 digits, 30-second steps, the
 * parameters every authenticator app uses by default. The arithmetic is otplib's; this
 * file fixes the parameters, works in whole time steps (so a caller can refuse a step that
 * was already used) and compares codes in constant time.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

const base = authenticator.clone({ step: TOTP_STEP_SECONDS, digits: TOTP_DIGITS, window: 0 });

/** A new random secret (160 bits, as RFC 4226 recommends), RFC 4648 base32 without padding. */
export function generateTotpSecret(bytes = 20): string {
  return base.generateSecret(bytes);
}

/** The time step of an instant. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** The code of a base32 secret at a time step. */
export function totpCode(secretBase32: string, step: number): string {
  return base.clone({ epoch: step * TOTP_STEP_SECONDS * 1000 }).generate(secretBase32);
}

/**
 * The step (within `window` steps either side of `at`) at which `code` is valid, or
 * undefined. Every candidate is computed and compared in constant time, whatever matches.
 */
export function findTotpStep(secretBase32: string, code: string, at: Date, window = 1): number | undefined {
  const now = totpStep(at);
  let found: number | undefined;
  for (let s = now - window; s <= now + window; s++) {
    if (constantTimeEqual(totpCode(secretBase32, s), code) && found === undefined) found = s;
  }
  return found;
}

/** The otpauth:// URL authenticator apps read from a QR code. */
export function otpauthUrl(opts: { secret: string; label: string; issuer: string }): string {
  return base.keyuri(opts.label, opts.issuer, opts.secret);
}
