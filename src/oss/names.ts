import { ossError } from './errors.js';

/**
 * Bucket and object names as the real service accepts them. Checked at the edge, before
 * any store or file work.
 */

/** 3 to 63 characters: lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name);
}

export function checkBucketName(name: string): void {
  if (!isValidBucketName(name)) {
    throw ossError('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
  }
}

/** The longest object key in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1023;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why an object key is refused, or undefined when it is acceptable: 1 to 1023 bytes of
 * UTF-8, not starting with `/` or `\`, no control characters (NUL included), no lone
 * surrogates, and no `.` or `..` path segment (a key is never a path that climbs out of
 * its folder, whatever a client later does with it).
 */
export function objectKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the object name is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    return `the object name is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/') || key.startsWith('\\')) return 'the object name starts with "/" or "\\"';
  if (CONTROL.test(key)) return 'the object name contains a control character';
  if (LONE_SURROGATE.test(key)) return 'the object name is not valid UTF-8';
  if (key.split(/[/\\]/).some((s) => s === '.' || s === '..'))
    return 'the object name contains a "." or ".." segment';
  return undefined;
}

export function checkObjectKey(key: string): void {
  const problem = objectKeyProblem(key);
  if (problem) throw ossError('InvalidObjectName', `The specified object is not valid: ${problem}.`);
}
