/**
 * The dates of a V4-signed data-plane request, checked before its signature (src/auth): the
 * credential scope's date (`<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request`) is the
 * date of its x-oss-date, and the region a region name; a presigned URL is not used before its
 * x-oss-date (less the clock skew a header-signed request is allowed), so a URL dated ahead
 * cannot outlive the 7-day cap. Otherwise a signer could pick any scope date (a key derived
 * for 99991231) or date a URL years ahead.
 */
import { CLOCK_SKEW_MS } from '../auth/freshness.js';
import { parseUrlEncoded } from '../auth/percent-encode.js';
import { ossError } from './errors.js';

const BASIC_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const badScope = (why: string) =>
  ossError(
    'SignatureDoesNotMatch',
    `The credential scope of the V4 signature is not valid: ${why}. It is <AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request, the date that of x-oss-date.`,
  );

function checkScope(credential: string, timestamp: string | undefined): void {
  const [, date = '', region = ''] = credential.split('/');
  const at = BASIC_TIME.exec(timestamp ?? '');
  // A missing or malformed x-oss-date or credential is authentication's to answer.
  if (!at) return;
  if (!/^\d{8}$/.test(date)) throw badScope(`${date.slice(0, 16)} is not a date (yyyymmdd)`);
  if (date !== `${at[1]}${at[2]}${at[3]}`) {
    throw badScope(`its date ${date} is not the date of x-oss-date ${timestamp}`);
  }
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw badScope('the region is not a region name');
}

/** Throws an OssError when a V4 request's dates do not hold; V1 and unsigned requests pass. */
export function checkV4Dates(
  req: { readonly headers: Record<string, string | undefined>; readonly rawQuery: string },
  now: Date,
  checkFreshness: boolean,
): void {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('OSS4-HMAC-SHA256 ')) {
    const credential = /(?:^|[\s,])Credential=([^,\s]*)/.exec(auth.slice('OSS4-HMAC-SHA256 '.length))?.[1];
    if (credential !== undefined) checkScope(credential, req.headers['x-oss-date']);
    return;
  }
  if (auth !== '') return;
  const query = parseUrlEncoded(req.rawQuery);
  if (!query.some(([n]) => n === 'x-oss-signature')) return;
  const param = (name: string): string | undefined => query.find(([n]) => n === name)?.[1];
  const credential = param('x-oss-credential');
  const timestamp = param('x-oss-date');
  if (credential !== undefined) checkScope(credential, timestamp);
  const at = BASIC_TIME.exec(timestamp ?? '');
  if (!checkFreshness || !at) return;
  const start = Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!);
  if (start > now.getTime() + CLOCK_SKEW_MS) {
    throw ossError(
      'AccessDenied',
      'Request is not valid yet: its x-oss-date is later than the current time (15 minutes allowed for clock skew).',
    );
  }
}
