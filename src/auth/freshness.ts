import { invalidParameter } from '../errors.js';

/**
 * Replay defences shared by V2 and V3: the request time must be within 15 minutes of the
 * server clock, and a SignatureNonce may be used once per AccessKey within that window.
 */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * The longest SignatureNonce (V3: x-acs-signature-nonce) accepted. The official clients send
 * 32 to 64 characters; the bound keeps a nonce far below index row limits (PostgreSQL's
 * btree refuses rows over about 2.7 KB) and keeps junk out of the store.
 */
export const MAX_NONCE_LENGTH = 128;

/**
 * Refuses an empty SignatureNonce or one longer than MAX_NONCE_LENGTH with InvalidParameter.
 * Authentication calls it before any store work; the nonce store again before queuing a claim.
 */
export function checkNonce(nonce: string): void {
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
    throw invalidParameter('SignatureNonce', `must be 1 to ${MAX_NONCE_LENGTH} characters long.`);
  }
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** Parses `YYYY-MM-DDThh:mm:ssZ` (UTC); undefined when the text is not of that form. */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject calendar overflow such as 2026-02-31 that Date would silently roll over.
  if (d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() + 1 !== Number(m[2])) return undefined;
  return d;
}

export type TimestampCheck = 'ok' | 'format' | 'expired';

export function checkTimestamp(text: string, now: Date): TimestampCheck {
  const at = parseTimestamp(text);
  if (!at) return 'format';
  return Math.abs(now.getTime() - at.getTime()) > CLOCK_SKEW_MS ? 'expired' : 'ok';
}

/** When a nonce claimed now may be forgotten: past the window on both sides of the clock. */
export function nonceExpiry(now: Date): Date {
  return new Date(now.getTime() + 2 * CLOCK_SKEW_MS);
}
