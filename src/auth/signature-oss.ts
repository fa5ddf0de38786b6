import { createHmac, createHash } from 'node:crypto';
import { equalSignatures } from '../crypto/constant-time.js';
import { compareNames, parseUrlEncoded, percentDecode, percentEncode } from './percent-encode.js';

/**
 * OSS request signatures as ali-oss sends them: V1 (HMAC-SHA1, `Authorization: OSS AK:sig`,
 * or a presigned URL with OSSAccessKeyId/Expires/Signature) and V4 (OSS4-HMAC-SHA256, header
 * or presigned URL). Pure verification; the OSS data plane decides what to do with the result.
 */

/** Query parameters that are part of the V1 canonicalized resource. */
export const OSS_SUB_RESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'uploads',
  'uploadId',
  'partNumber',
  'location',
  'cors',
  'logging',
  'website',
  'referer',
  'lifecycle',
  'delete',
  'append',
  'position',
  'tagging',
  'objectMeta',
  'security-token',
  'symlink',
  'restore',
  'versioning',
  'versions',
  'versionId',
  'policy',
  'encryption',
  'x-oss-process',
  'x-oss-traffic-limit',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'callback',
  'callback-var',
  'qos',
  'stat',
  'live',
  'status',
  'comp',
  'vod',
  'startTime',
  'endTime',
  'inventory',
  'continuation-token',
  'bucketInfo',
  'worm',
  'wormId',
  'wormExtend',
  'replication',
  'replicationLocation',
  'replicationProgress',
  'transferAcceleration',
  'cname',
  'resourceGroup',
  'requestPayment',
  'accessPoint',
  'img',
  'style',
  'styleName',
]);

export interface OssRequest {
  readonly method: string;
  /** The path as sent (percent-encoded). */
  readonly path: string;
  readonly rawQuery: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface OssTarget {
  readonly bucket: string;
  /** The object key, decoded; '' for bucket-level requests. */
  readonly key: string;
  readonly addressing: 'virtual-host' | 'path';
}

/**
 * Bucket and key of a request. The bucket is the first label of a Host under an OSS domain
 * (ali-oss rewrites Host so even for an IP endpoint) or under `localhost` (an endpoint of
 * `http://localhost:<port>` without sldEnable); the path names the bucket too when
 * the client uses path style (its first segment is the bucket).
 */
export function ossTarget(req: Pick<OssRequest, 'path' | 'headers'>): OssTarget | undefined {
  return ossTargets(req)[0];
}

/**
 * The readings of a request's bucket and key, the likelier first. A Host that names the bucket
 * with a path that starts with the bucket again reads two ways: path style (ali-oss with an IP
 * endpoint and sldEnable sends `/<bucket>/<key>`) or a key that itself starts with
 * `<bucket>/` (the same client without sldEnable). A signature covers the bucket and the key, so
 * verification takes the reading it was signed for (`verifyOss`); an anonymous request is read
 * path style.
 */
export function ossTargets(req: Pick<OssRequest, 'path' | 'headers'>): readonly OssTarget[] {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  const m = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.(?:oss-[a-z0-9-]+\.aliyuncs\.com|localhost)$/.exec(host);
  const segments = req.path.split('/').slice(1);
  if (m) {
    const bucket = m[1]!;
    const hosted: OssTarget = { bucket, key: percentDecode(segments.join('/')), addressing: 'virtual-host' };
    if (segments[0] === bucket && segments.length > 1) {
      return [{ bucket, key: percentDecode(segments.slice(1).join('/')), addressing: 'path' }, hosted];
    }
    return [hosted];
  }
  if (!segments[0]) return [];
  return [
    {
      bucket: percentDecode(segments[0]),
      key: percentDecode(segments.slice(1).join('/')),
      addressing: 'path',
    },
  ];
}

/** A request that names no bucket (ListBuckets): its resource is `/`. */
const SERVICE_TARGET: OssTarget = { bucket: '', key: '', addressing: 'path' };

function canonicalizedResource(target: OssTarget, query: readonly (readonly [string, string])[]): string {
  const base = target.bucket === '' ? '/' : `/${target.bucket}/${target.key}`;
  const subs = query
    .filter(([n]) => OSS_SUB_RESOURCES.has(n))
    .sort((a, b) => compareNames(a[0], b[0]))
    .map(([n, v]) => (v === '' ? n : `${n}=${v}`));
  return subs.length ? `${base}?${subs.join('&')}` : base;
}

function ossHeaderLines(headers: OssRequest['headers']): string {
  return Object.keys(headers)
    .filter((n) => n.startsWith('x-oss-') && headers[n] !== undefined)
    .sort(compareNames)
    .map((n) => `${n}:${headers[n]!.trim()}\n`)
    .join('');
}

export interface OssVerification {
  readonly scheme: 'OSS-V1' | 'OSS-V1-URL' | 'OSS-V4' | 'OSS-V4-URL';
  readonly accessKeyId: string;
  readonly ok: boolean;
  readonly stringToSign: string;
  /** V1 URL: Expires (epoch seconds); V4 URL: x-oss-date + x-oss-expires. */
  readonly expiresAt?: Date;
  readonly securityToken?: string;
  /** The bucket and key the signature was checked for (see `ossTargets`); none for ListBuckets. */
  readonly target?: OssTarget;
}

const hmacSha1 = (key: string, text: string): string =>
  createHmac('sha1', key).update(text, 'utf8').digest('base64');

/**
 * V1 string to sign, for the header form and the presigned URL alike: VERB, Content-MD5,
 * Content-Type, the Date slot, the x-oss-* header lines, the canonicalized resource. The Date
 * slot is `x-oss-date` (else `Date`) for a header-signed request and the `Expires` value for a
 * presigned URL (`dateSlot`), as ali-oss's buildCanonicalString does. The URL form signs the
 * request's Content-MD5, Content-Type and x-oss-* headers too (ali-oss signs those given to
 * signatureUrl), so a header the URL did not sign, such as `x-oss-copy-source`, breaks it.
 */
export function stringToSignOssV1(req: OssRequest, target: OssTarget, dateSlot?: string): string {
  const h = req.headers;
  const date = dateSlot ?? h['x-oss-date'] ?? h.date ?? '';
  return (
    [req.method, h['content-md5'] ?? '', h['content-type'] ?? '', date, ''].join('\n') +
    ossHeaderLines(h) +
    canonicalizedResource(target, parseUrlEncoded(req.rawQuery))
  );
}

/** The signing scheme a request uses, if it is an OSS-signed one. */
export function ossScheme(req: OssRequest): OssVerification['scheme'] | undefined {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('OSS4-HMAC-SHA256 ')) return 'OSS-V4';
  if (auth.startsWith('OSS ')) return 'OSS-V1';
  const names = new Set(parseUrlEncoded(req.rawQuery).map(([n]) => n));
  if (names.has('x-oss-signature')) return 'OSS-V4-URL';
  if (names.has('OSSAccessKeyId')) return 'OSS-V1-URL';
  return undefined;
}

/**
 * The AccessKeyId and security token an OSS-signed request names, read without any HMAC work
 * (authentication looks the key up with it, then verifies once). Undefined when not OSS-signed
 * or when the credential is missing.
 */
export function ossCredentials(req: OssRequest): { accessKeyId: string; securityToken?: string } | undefined {
  const scheme = ossScheme(req);
  if (!scheme) return undefined;
  const query = scheme === 'OSS-V1-URL' || scheme === 'OSS-V4-URL' ? parseUrlEncoded(req.rawQuery) : [];
  const param = (name: string): string | undefined => query.find(([n]) => n === name)?.[1];
  let accessKeyId: string | undefined;
  if (scheme === 'OSS-V1') accessKeyId = /^OSS ([^:]+):/.exec(req.headers.authorization!.trim())?.[1];
  else if (scheme === 'OSS-V1-URL') accessKeyId = param('OSSAccessKeyId');
  else if (scheme === 'OSS-V4') accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization!)?.[1];
  else accessKeyId = /^([^/]+)\//.exec(param('x-oss-credential') ?? '')?.[1];
  if (!accessKeyId) return undefined;
  const token =
    req.headers['x-oss-security-token'] ??
    (scheme === 'OSS-V1' || scheme === 'OSS-V4'
      ? parseUrlEncoded(req.rawQuery).find(
          ([n]) => n === 'security-token' || n === 'x-oss-security-token',
        )?.[1]
      : (param('security-token') ?? param('x-oss-security-token')));
  return token ? { accessKeyId, securityToken: token } : { accessKeyId };
}

/** A V4 presigned URL's x-oss-expires in seconds; NaN when absent or malformed. */
export function ossV4UrlLifetime(req: OssRequest): number {
  const expires = parseUrlEncoded(req.rawQuery).find(([n]) => n === 'x-oss-expires')?.[1] ?? '';
  return /^\d{1,9}$/.test(expires) ? Number(expires) : NaN;
}

/** When a presigned URL stops being valid (V1: Expires; V4: x-oss-date + x-oss-expires); Invalid Date when malformed. */
export function ossUrlExpiry(req: OssRequest, scheme: 'OSS-V1-URL' | 'OSS-V4-URL'): Date {
  const query = parseUrlEncoded(req.rawQuery);
  const param = (name: string): string | undefined => query.find(([n]) => n === name)?.[1];
  if (scheme === 'OSS-V1-URL') {
    const expires = param('Expires') ?? '';
    return /^\d{1,12}$/.test(expires) ? new Date(Number(expires) * 1000) : new Date(NaN);
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(param('x-oss-date') ?? '');
  const expires = param('x-oss-expires') ?? '';
  if (!m || !/^\d{1,9}$/.test(expires)) return new Date(NaN);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + Number(expires) * 1000);
}

function v4SigningKey(secret: string, date: string, region: string): Buffer {
  const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update('oss').digest();
  return createHmac('sha256', kService).update('aliyun_v4_request').digest();
}

function v4CanonicalUri(target: OssTarget): string {
  if (target.bucket === '') return '/';
  return percentEncode(`/${target.bucket}/${target.key}`).replace(/%2F/g, '/');
}

/**
 * The query as V4 signs it. ali-oss signs a sub-resource without a value as `name` and an
 * ordinary parameter with an empty value as `name=` (qs strictNullHandling), but sends both
 * as `name=` on the wire. So: a parameter sent without `=` has no value (undefined); one
 * sent with an empty value has none either when it is a sub-resource (`?delete=`, `?uploads=`),
 * and the value '' otherwise (`prefix=`).
 */
function queryWithForms(rawQuery: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(
      eq < 0
        ? [percentDecode(part), undefined]
        : [percentDecode(part.slice(0, eq)), percentDecode(part.slice(eq + 1))],
    );
    const last = out[out.length - 1]!;
    if (last[1] === '' && OSS_SUB_RESOURCES.has(last[0])) last[1] = undefined;
  }
  return out;
}

function v4CanonicalQuery(pairs: readonly (readonly [string, string | undefined])[]): string {
  return pairs
    .map(([n, v]) => [percentEncode(n), v === undefined ? undefined : percentEncode(v)] as const)
    .sort((a, b) => compareNames(a[0], b[0]) || compareNames(a[1] ?? '', b[1] ?? ''))
    .map(([n, v]) => (v === undefined ? n : `${n}=${v}`))
    .join('&');
}

function v4CanonicalHeaders(headers: OssRequest['headers'], additional: readonly string[]): string {
  const names = Object.keys(headers).filter(
    (n) =>
      headers[n] !== undefined &&
      (n === 'content-type' || n === 'content-md5' || n.startsWith('x-oss-') || additional.includes(n)),
  );
  return names
    .sort(compareNames)
    .map((n) => `${n}:${headers[n]!.trim()}\n`)
    .join('');
}

interface V4Parts {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly additional: readonly string[];
  readonly signature: string;
}

function v4StringToSign(
  req: OssRequest,
  target: OssTarget,
  parts: V4Parts,
  query: readonly (readonly [string, string | undefined])[],
  headers: OssRequest['headers'],
  timestamp: string,
  payloadHash: string,
): string {
  const canonical = [
    req.method,
    v4CanonicalUri(target),
    v4CanonicalQuery(query),
    v4CanonicalHeaders(headers, parts.additional),
    parts.additional.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${parts.date}/${parts.region}/oss/aliyun_v4_request`;
  return `OSS4-HMAC-SHA256\n${timestamp}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
}

function parseCredential(credential: string): Omit<V4Parts, 'additional' | 'signature'> | undefined {
  const [accessKeyId, date, region, service, terminal] = credential.split('/');
  if (!accessKeyId || !date || !region || service !== 'oss' || terminal !== 'aliyun_v4_request')
    return undefined;
  return { accessKeyId, date, region };
}

/**
 * Verifies an OSS-signed request with the secret of its AccessKey (the caller looks the key
 * up by `ossAccessKeyId(req)`). Undefined when the request is not OSS-signed or malformed.
 */
export function verifyOss(req: OssRequest, secret: string): OssVerification | undefined {
  const [first, ...others] = ossTargets(req);
  const v = verifyOssAs(req, secret, first);
  if (!v || v.ok) return v;
  for (const target of others) {
    const other = verifyOssAs(req, secret, target);
    if (other?.ok) return other;
  }
  return v;
}

function verifyOssAs(
  req: OssRequest,
  secret: string,
  named: OssTarget | undefined,
): OssVerification | undefined {
  const scheme = ossScheme(req);
  if (!scheme) return undefined;
  const target = named ?? SERVICE_TARGET;
  const query = parseUrlEncoded(req.rawQuery);
  const param = (name: string): string | undefined => query.find(([n]) => n === name)?.[1];
  const token =
    req.headers['x-oss-security-token'] ?? param('security-token') ?? param('x-oss-security-token');
  const withToken = <T extends object>(v: T): T & Pick<OssVerification, 'target'> => ({
    ...v,
    ...(named ? { target: named } : {}),
    ...(token ? { securityToken: token } : {}),
  });

  if (scheme === 'OSS-V1') {
    const m = /^OSS ([^:]+):(.+)$/.exec(req.headers.authorization!.trim());
    if (!m) return undefined;
    const stringToSign = stringToSignOssV1(req, target);
    const ok = equalSignatures(hmacSha1(secret, stringToSign), m[2]!);
    return withToken({ scheme, accessKeyId: m[1]!, ok, stringToSign });
  }
  if (scheme === 'OSS-V1-URL') {
    const accessKeyId = param('OSSAccessKeyId');
    const expires = param('Expires');
    const signature = param('Signature');
    if (!accessKeyId || !expires || !signature || !/^\d+$/.test(expires)) return undefined;
    const stringToSign = stringToSignOssV1(req, target, expires);
    const ok = equalSignatures(hmacSha1(secret, stringToSign), signature);
    return withToken({ scheme, accessKeyId, ok, stringToSign, expiresAt: new Date(Number(expires) * 1000) });
  }
  if (scheme === 'OSS-V4') {
    const auth = req.headers.authorization!.slice('OSS4-HMAC-SHA256 '.length);
    const fields = new Map(
      auth.split(',').map((f) => {
        const eq = f.indexOf('=');
        return [f.slice(0, eq).trim(), f.slice(eq + 1).trim()] as const;
      }),
    );
    const cred = parseCredential(fields.get('Credential') ?? '');
    const signature = fields.get('Signature');
    const timestamp = req.headers['x-oss-date'];
    if (!cred || !signature || !timestamp) return undefined;
    const additional = (fields.get('AdditionalHeaders') ?? '')
      .split(';')
      .filter(Boolean)
      .map((h) => h.toLowerCase());
    const parts = { ...cred, additional, signature };
    const payloadHash = req.headers['x-oss-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
    const stringToSign = v4StringToSign(
      req,
      target,
      parts,
      queryWithForms(req.rawQuery),
      req.headers,
      timestamp,
      payloadHash,
    );
    const expected = createHmac('sha256', v4SigningKey(secret, cred.date, cred.region))
      .update(stringToSign)
      .digest('hex');
    return withToken({
      scheme,
      accessKeyId: cred.accessKeyId,
      ok: equalSignatures(expected, signature),
      stringToSign,
    });
  }
  // OSS-V4-URL
  const cred = parseCredential(param('x-oss-credential') ?? '');
  const signature = param('x-oss-signature');
  const timestamp = param('x-oss-date');
  const expires = param('x-oss-expires');
  if (!cred || !signature || !timestamp || !expires || !/^\d+$/.test(expires)) return undefined;
  const additional = (param('x-oss-additional-headers') ?? '')
    .split(';')
    .filter(Boolean)
    .map((h) => h.toLowerCase());
  const parts = { ...cred, additional, signature };
  const signedQuery = queryWithForms(req.rawQuery).filter(([n]) => n !== 'x-oss-signature');
  const stringToSign = v4StringToSign(
    req,
    target,
    parts,
    signedQuery,
    req.headers,
    timestamp,
    'UNSIGNED-PAYLOAD',
  );
  const expected = createHmac('sha256', v4SigningKey(secret, cred.date, cred.region))
    .update(stringToSign)
    .digest('hex');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(timestamp);
  const start = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
  return withToken({
    scheme,
    accessKeyId: cred.accessKeyId,
    ok: equalSignatures(expected, signature),
    stringToSign,
    expiresAt: new Date(start + Number(expires) * 1000),
  });
}
