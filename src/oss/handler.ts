/**
 * The OSS-compatible data plane (reference/oss-data-plane.md): one entry point for a request
 * the server routed here. The road is the API's: authenticate (src/auth/authenticate.ts
 * authenticateOss: OSS V1/V4 signatures, AccessKeys and STS tokens), resolve the bucket from
 * the store, authorize every target with the same Authorizer (its compiled caches and the
 * account's permissions version) as `oss:<Action>` on `acs:oss:*:<owner>:<bucket>[/<key>]`,
 * with the bucket policy as the resource policy, then the operation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ossArn } from '../arn.js';
import { authenticateOss, type Authentication, type AuthenticationOptions } from '../auth/authenticate.js';
import { escapesAreUtf8, percentDecode, parseUrlEncoded } from '../auth/percent-encode.js';
import type { Principal } from '../auth/principal.js';
import { OSS_SUB_RESOURCES, ossTarget } from '../auth/signature-oss.js';
import type { Services } from '../domain/request-services.js';
import { ApiError } from '../errors.js';
import type { ContextValue, RequestContext } from '../policy/request.js';
import { validatePolicy } from '../policy/index.js';
import type { Authorizer } from '../api/authorize.js';
import type { ResolvedTarget } from '../api/action.js';
import { buildRequestContext } from '../api/request-context.js';
import type { Bucket, Catalog, ObjectRecord, PartRecord } from './catalog.js';
import { noSuchBucket, noSuchKey, ossError, OssError } from './errors.js';
import { BlobTooLargeError, type BlobFiles } from './files.js';
import { baseHeaders, flatHeaders, newOssRequestId, sendEmpty, sendError, sendXml } from './http.js';
import { checkBucketName, checkObjectKey } from './names.js';
import { checkV4Dates } from './v4-dates.js';
import { childrenNamed, childText, malformedXml, parseXmlDocument, textOf } from './xml.js';

/** The largest object a PutObject (or one part) carries, as the service: 5 GiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;
/** Every part but the last of a multipart upload is at least this large (100 KiB). */
export const MIN_PART_BYTES = 100 * 1024;
export const MAX_PART_NUMBER = 10_000;
/** XML and JSON request bodies (Delete, CompleteMultipartUpload, bucket policies) are read whole up to this. */
const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
/** The longest bucket policy (JSON text), as the service: 16 KB. */
const MAX_BUCKET_POLICY_BYTES = 16 * 1024;
/** Ranges up to this size are read in one synchronous call instead of streamed. */
const SMALL_READ_BYTES = 128 * 1024;
/** User metadata (x-oss-meta-*) per object, as the service: 8 KB. */
const MAX_USER_META_BYTES = 8 * 1024;

/** The response headers an object keeps from its upload. */
const STORED_HEADERS = [
  'content-type',
  'content-disposition',
  'content-encoding',
  'content-language',
  'cache-control',
  'expires',
];

export interface OssEnv {
  readonly services: Services;
  readonly authorizer: Authorizer;
  readonly catalog: Catalog;
  readonly files: BlobFiles;
  readonly now: () => Date;
  readonly auth?: AuthenticationOptions;
  readonly logError?: (requestId: string, err: unknown) => void;
}

export interface OssClient {
  readonly sourceIp: string;
  readonly secure: boolean;
}

/** One request on its way through the data plane. */
interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly headers: Record<string, string | undefined>;
  readonly query: Map<string, string>;
  readonly bucketName: string | undefined;
  readonly key: string;
  readonly principal: Principal;
  readonly auth: Authentication;
  readonly context: RequestContext;
  readonly requestId: string;
  readonly now: Date;
}

const ANONYMOUS: Principal = { type: 'Anonymous', accountId: '' };

/** The bucket ACLs PutBucket and PutBucketAcl accept. */
const BUCKET_ACLS = ['private', 'public-read', 'public-read-write'] as const;

/**
 * What a bucket's ACL grants to everyone, anonymous callers included, when no policy denies
 * it: object reads with public-read; object reads and writes with public-read-write. Bucket
 * operations (listing included) always need a policy.
 */
const ACL_GRANTS: Readonly<Record<string, ReadonlySet<string>>> = {
  'public-read': new Set(['oss:GetObject']),
  'public-read-write': new Set([
    'oss:GetObject',
    'oss:PutObject',
    'oss:DeleteObject',
    'oss:AbortMultipartUpload',
    'oss:ListParts',
  ]),
};

/** The API's authentication and authorization errors, in OSS words. */
function translate(err: ApiError): OssError {
  const code = err.code;
  if (code === 'NoPermission') {
    const d = err.detail;
    return ossError(
      'AccessDenied',
      d
        ? `You are not authorized to do this action (${d.AuthAction}, ${d.NoPermissionType}). You should be authorized by RAM or by the bucket policy. EncodedDiagnosticMessage: ${d.EncodedDiagnosticMessage}`
        : err.message,
      d
        ? {
            AuthAction: d.AuthAction,
            AuthPrincipalType: d.AuthPrincipalType,
            AuthPrincipalDisplayName: d.AuthPrincipalDisplayName,
            AuthPrincipalOwnerId: d.AuthPrincipalOwnerId,
            PolicyType: d.PolicyType,
            NoPermissionType: d.NoPermissionType,
            EncodedDiagnosticMessage: d.EncodedDiagnosticMessage,
          }
        : {},
    );
  }
  if (code.startsWith('InvalidAccessKeyId')) {
    return ossError(
      'InvalidAccessKeyId',
      code.endsWith('Inactive')
        ? 'The OSS Access Key Id you provided is disabled.'
        : 'The OSS Access Key Id you provided does not exist in our records.',
    );
  }
  if (code === 'InvalidSecurityToken.Expired') return ossError('SecurityTokenExpired', err.message);
  if (code.startsWith('InvalidSecurityToken') || code === 'MissingSecurityToken') {
    return ossError('InvalidSecurityToken', err.message);
  }
  if (code === 'SignatureDoesNotMatch') {
    const marker = 'server string to sign is:';
    const at = err.message.indexOf(marker);
    return ossError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      at >= 0 ? { StringToSign: err.message.slice(at + marker.length) } : {},
    );
  }
  if (code === 'RequestTimeTooSkewed' || code === 'AccessDenied' || code === 'InvalidArgument') {
    return ossError(code, err.message);
  }
  return ossError('AccessDenied', err.message);
}

function requestedHost(headers: Record<string, string | undefined>): string {
  return headers.host ?? '';
}

/** Reads a small request body (an XML or JSON document) whole; EntityTooLarge past the limit. */
async function readDocument(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw ossError('EntityTooLarge', `The request body exceeds ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw ossError('EntityTooLarge', `The request body exceeds ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Content-MD5: Base64 of 16 bytes, or InvalidDigest. */
function expectedMd5(headers: Record<string, string | undefined>): string | undefined {
  const v = headers['content-md5'];
  if (v === undefined) return undefined;
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== v.trim()) {
    throw ossError('InvalidDigest', 'The Content-MD5 you specified is not valid.');
  }
  return bytes.toString('hex');
}

/** The stored headers of a new object: Content-Type and friends, and x-oss-meta-*. */
function storedHeaders(headers: Record<string, string | undefined>, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  out['content-type'] ??= guessType(key);
  let meta = 0;
  for (const name in headers) {
    if (name.startsWith('x-oss-meta-') && headers[name] !== undefined) {
      out[name] = headers[name]!;
      meta += name.length + headers[name]!.length;
    }
  }
  if (meta > MAX_USER_META_BYTES) {
    throw ossError(
      'InvalidArgument',
      `The user metadata (x-oss-meta-*) exceeds ${MAX_USER_META_BYTES} bytes.`,
    );
  }
  return out;
}

function guessType(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    txt: 'text/plain',
    html: 'text/html',
    json: 'application/json',
    xml: 'application/xml',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    zip: 'application/zip',
  };
  return types[ext] ?? 'application/octet-stream';
}

const quoted = (etag: string): string => `"${etag}"`;

function isoMillis(iso: string): string {
  return new Date(iso).toISOString();
}

function owner(accountId: string): { ID: string; DisplayName: string } {
  return { ID: accountId, DisplayName: accountId };
}

function intParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw ossError('InvalidArgument', `${name} must be an integer from ${min} to ${max}.`, {
      ArgumentName: name,
      ArgumentValue: value.slice(0, 64),
    });
  }
  return Number(value);
}

/**
 * UploadPart's partNumber: required, an integer from 1 to 10,000. Missing, empty, non-numeric
 * or out of range is InvalidArgument (never a part 0 nobody asked for).
 */
function partNumberParam(value: string | undefined): number {
  if (value === undefined || value === '') {
    throw ossError('InvalidArgument', `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}.`, {
      ArgumentName: 'partNumber',
      ArgumentValue: '',
    });
  }
  return intParam(value, 'partNumber', 1, MAX_PART_NUMBER, 0);
}

/** The operations the data plane serves (docs/oss.md, "Operations"). */
type Operation =
  | 'ListBuckets'
  | 'PutBucket'
  | 'GetBucketInfo'
  | 'GetBucketAcl'
  | 'GetBucketLocation'
  | 'GetBucketPolicy'
  | 'PutBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'PutBucketAcl'
  | 'DeleteBucket'
  | 'ListObjects'
  | 'ListMultipartUploads'
  | 'DeleteMultipleObjects'
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'DeleteObject'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts';

interface Route {
  readonly op: Operation;
  /** The sub-resources that select this operation; none: chosen when no selector of its method is named. */
  readonly selectors: readonly string[];
  /** The other sub-resources it accepts (and serves). */
  readonly accepts?: readonly string[];
}

/** The response headers a GET or HEAD of an object may override, by the parameter that does. */
const RESPONSE_OVERRIDES = [
  ['response-content-type', 'content-type'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
  ['response-content-language', 'content-language'],
  ['response-cache-control', 'cache-control'],
  ['response-expires', 'expires'],
] as const;
const OVERRIDE_PARAMETERS = RESPONSE_OVERRIDES.map(([param]) => param);

/**
 * The response-* overrides a GET or HEAD asks for, as [header, value] pairs. A value must be a
 * valid header value (RFC 9110 field-value: visible ASCII, space, tab, and bytes 0x80 to 0xFF):
 * anything else, a line break or a character past Latin-1 (`filename="报告.txt"`, to be given
 * as RFC 6266 `filename*=UTF-8''%E6%8A%A5...` instead), is InvalidArgument.
 */
function responseOverrides(query: ReadonlyMap<string, string>, anonymous: boolean): [string, string][] {
  const out: [string, string][] = [];
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const v = query.get(param);
    if (v === undefined) continue;
    // As on OSS, an anonymous request may set the Content-Type only: the other headers (a
    // download's file name, caching) would let anyone's link speak for the bucket's owner.
    if (anonymous && param !== 'response-content-type') {
      throw ossError(
        'InvalidArgument',
        `${param} needs a signed request: an anonymous request may override only the Content-Type.`,
        { ArgumentName: param },
      );
    }
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(v)) {
      throw ossError(
        'InvalidArgument',
        `${param} cannot be a header value: it holds a control character or a character outside ISO-8859-1 (encode a file name as RFC 6266 filename*=UTF-8''...).`,
        { ArgumentName: param },
      );
    }
    out.push([header, v]);
  }
  return out;
}

/**
 * The served operation table: by level (no bucket, bucket, object) and method, which
 * sub-resource selects which operation, and which other sub-resources an operation accepts.
 * A sub-resource is a query parameter OSS defines as one (OSS_SUB_RESOURCES, the list the V1
 * signature signs); ordinary parameters (prefix, marker, max-keys, list-type, key-marker,
 * part-number-marker...) are not and play no part here. `security-token` (a V1 presigned URL's
 * STS token) belongs to authentication and is accepted everywhere.
 */
const ROUTES: Readonly<Record<'service' | 'bucket' | 'object', Readonly<Record<string, readonly Route[]>>>> =
  {
    service: { GET: [{ op: 'ListBuckets', selectors: [] }] },
    bucket: {
      GET: [
        { op: 'GetBucketInfo', selectors: ['bucketInfo'] },
        { op: 'GetBucketPolicy', selectors: ['policy'] },
        { op: 'GetBucketAcl', selectors: ['acl'] },
        { op: 'GetBucketLocation', selectors: ['location'] },
        { op: 'ListMultipartUploads', selectors: ['uploads'] },
        { op: 'ListObjects', selectors: [], accepts: ['continuation-token'] },
      ],
      PUT: [
        { op: 'PutBucketPolicy', selectors: ['policy'] },
        { op: 'PutBucketAcl', selectors: ['acl'] },
        { op: 'PutBucket', selectors: [] },
      ],
      DELETE: [
        { op: 'DeleteBucketPolicy', selectors: ['policy'] },
        { op: 'DeleteBucket', selectors: [] },
      ],
      POST: [{ op: 'DeleteMultipleObjects', selectors: ['delete'] }],
    },
    object: {
      GET: [
        { op: 'ListParts', selectors: ['uploadId'] },
        // GetObjectMeta is HEAD only: a GET naming objectMeta is NotImplemented (it once answered
        // the object's Content-Length with no body, which stalls or desyncs a kept-alive connection).
        { op: 'GetObject', selectors: [], accepts: OVERRIDE_PARAMETERS },
      ],
      HEAD: [{ op: 'HeadObject', selectors: [], accepts: ['objectMeta', ...OVERRIDE_PARAMETERS] }],
      PUT: [
        { op: 'UploadPart', selectors: ['uploadId', 'partNumber'] },
        // CopyObject too (told by its x-oss-copy-source header).
        { op: 'PutObject', selectors: [] },
      ],
      DELETE: [
        { op: 'AbortMultipartUpload', selectors: ['uploadId'] },
        { op: 'DeleteObject', selectors: [] },
      ],
      POST: [
        { op: 'InitiateMultipartUpload', selectors: ['uploads'] },
        { op: 'CompleteMultipartUpload', selectors: ['uploadId'] },
      ],
    },
  };

/** The query parameters of served operations that are not sub-resources (they may be empty). */
const ORDINARY_PARAMETERS: ReadonlySet<string> = new Set([
  'prefix',
  'marker',
  'max-keys',
  'delimiter',
  'encoding-type',
  'list-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'key-marker',
  'upload-id-marker',
  'max-uploads',
  'part-number-marker',
  'max-parts',
]);

const noSuchUpload = (uploadId: string): OssError =>
  ossError('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId.slice(0, 64) });

const partsChanged = (): OssError =>
  ossError(
    'InvalidPart',
    'One or more of the specified parts was uploaded again while the upload was being completed.',
  );

const notImplemented = (what: string): OssError =>
  ossError('NotImplemented', `${what} is not implemented by this server.`);

const methodNotAllowed = (): OssError =>
  ossError('MethodNotAllowed', 'The specified method is not allowed against this resource.');

/**
 * The operation a request asks for, from its method, the sub-resources its query names and
 * its headers alone (nothing stored is read): an OssError when it is not served. Every
 * sub-resource named must be one the chosen operation serves, so an unknown one (`?acl` on an
 * object, `?tagging`, `?cors`, `?versionId`, `x-oss-process`...) never falls through to the
 * plain object or bucket operation: NotImplemented. A method with no operation at that level,
 * no sub-resource named, stays MethodNotAllowed.
 */
function route(
  level: 'service' | 'bucket' | 'object',
  method: string,
  query: ReadonlyMap<string, string>,
  headers: Record<string, string | undefined>,
): Operation | OssError {
  // A sub-resource is a name OSS signs as one, or any other name given bare (`?publicAccessBlock`,
  // `?worm`): OSS has more sub-resources than any list here, and a flag that names none of the
  // ordinary parameters is one of them, never a reason to run the plain operation.
  const named = [...query.entries()]
    .filter(
      ([n, v]) =>
        (OSS_SUB_RESOURCES.has(n) && n !== 'security-token') || (v === '' && !ORDINARY_PARAMETERS.has(n)),
    )
    .map(([n]) => n);
  const routes = ROUTES[level][method] ?? [];
  const chosen =
    routes.find((r) => r.selectors.some((s) => query.has(s))) ?? routes.find((r) => r.selectors.length === 0);
  const unserved = named.filter((n) => !chosen?.selectors.includes(n) && !chosen?.accepts?.includes(n));
  if (unserved.length > 0) {
    return notImplemented(
      `${method} with the sub-resource${unserved.length > 1 ? 's' : ''} ${unserved.join(', ')}`,
    );
  }
  if (!chosen) return methodNotAllowed();
  // UploadPartCopy: an UploadPart that names a source instead of carrying the bytes.
  if (chosen.op === 'UploadPart' && headers['x-oss-copy-source'] !== undefined) {
    return notImplemented('UploadPartCopy (UploadPart with x-oss-copy-source)');
  }
  return chosen.op;
}

function clientGone(req: IncomingMessage, res: ServerResponse, err: unknown): boolean {
  if (err instanceof OssError) return false;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (err instanceof Error && err.message === 'aborted') ||
    (!req.complete && req.destroyed) ||
    (res.destroyed && !res.writableFinished)
  );
}

export function createOssHandler(env: OssEnv) {
  /** The ACL of the bucket a target was built for (bucketTarget records it). */
  const aclOfTarget = new WeakMap<ResolvedTarget, string>();

  async function authorize(call: Call, targets: readonly ResolvedTarget[]): Promise<void> {
    const version = call.auth.kind === 'signed' ? call.auth.permissionsVersion : undefined;
    try {
      await env.authorizer.authorize(call.principal, targets, call.context, version);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // Refused by policy: each target the policies do not allow may still be granted by its
      // bucket's ACL (the source of a copy by a public-read bucket, its destination by a
      // policy), unless a policy denies it.
      const byAcl = (t: ResolvedTarget) => ACL_GRANTS[aclOfTarget.get(t) ?? '']?.has(t.action) === true;
      if (err.code === 'NoPermission' && targets.some(byAcl)) {
        let granted = true;
        for (const t of targets) {
          const report = await env.authorizer.decide(call.principal, t, t.context ?? call.context, version);
          if (report.decision === 'Allow') continue;
          // An explicit Deny, or a control policy that allows nothing here, holds over the ACL.
          if (
            !byAcl(t) ||
            report.decision === 'ExplicitDeny' ||
            report.detail?.PolicyType === 'ControlPolicy'
          ) {
            granted = false;
            break;
          }
        }
        if (granted) return;
      }
      throw translate(err);
    }
  }

  /**
   * The condition keys OSS takes from a request's headers (`oss:x-oss-acl`,
   * `oss:x-oss-forbid-overwrite`): each header of `names` the request carries, by its value; a
   * header it does not carry leaves its key out, as for any key a request has no value of.
   */
  function headerKeys(call: Call, names: readonly string[]): RequestContext {
    const context: Record<string, ContextValue> = {};
    for (const name of names) {
      const value = call.headers[name];
      if (value !== undefined) context[`oss:${name}`] = { type: 'String', values: [value] };
    }
    return context;
  }

  function bucketTarget(b: Bucket, action: string, key?: string, context?: RequestContext): ResolvedTarget {
    const target = aclTarget(b, action, key, context);
    if (b.acl !== 'private') aclOfTarget.set(target, b.acl);
    return target;
  }

  function aclTarget(b: Bucket, action: string, key?: string, context?: RequestContext): ResolvedTarget {
    return {
      action,
      resource: ossArn(b.accountId, b.name, key),
      resourceOwnerAccountId: b.accountId,
      ...(context ? { context } : {}),
      ...(b.policy !== null
        ? {
            resourcePolicy: {
              kind: 'oss-bucket-policy',
              name: b.name,
              ownerAccountId: b.accountId,
              document: b.policy,
            },
          }
        : {}),
    };
  }

  async function findBucket(name: string, key?: string): Promise<{ bucket: Bucket; object?: ObjectRecord }> {
    const found = await env.catalog.find(name, key);
    if (!found) throw noSuchBucket(name);
    return found;
  }

  // ---------------------------------------------------------------- service and buckets

  async function listBuckets(call: Call): Promise<void> {
    if (call.principal.type === 'Anonymous') {
      throw ossError('AccessDenied', 'Anonymous access is forbidden for this operation.');
    }
    const accountId = call.principal.accountId;
    await authorize(call, [{ action: 'oss:ListBuckets', resource: ossArn(accountId) }]);
    const prefix = call.query.get('prefix') ?? '';
    const marker = call.query.get('marker') ?? '';
    const max = intParam(call.query.get('max-keys'), 'max-keys', 1, 1000, 100);
    const { buckets, truncated } = await env.catalog.listBuckets(accountId, prefix, marker, max);
    const paged = call.query.has('prefix') || call.query.has('marker') || call.query.has('max-keys');
    sendXml(call.res, 200, 'ListAllMyBucketsResult', {
      ...(paged
        ? {
            Prefix: prefix,
            Marker: marker,
            MaxKeys: max,
            IsTruncated: truncated,
            ...(truncated ? { NextMarker: buckets[buckets.length - 1]!.name } : {}),
          }
        : {}),
      Owner: owner(accountId),
      Buckets: {
        Bucket: buckets.map((b) => ({
          Name: b.name,
          Location: 'oss-cn-hangzhou',
          CreationDate: isoMillis(b.createDate),
          StorageClass: b.storageClass,
          Region: 'cn-hangzhou',
          ExtranetEndpoint: requestedHost(call.headers).replace(/^[^.]*\./, ''),
          IntranetEndpoint: requestedHost(call.headers).replace(/^[^.]*\./, ''),
        })),
      },
    });
  }

  async function putBucket(call: Call, name: string): Promise<void> {
    if (call.principal.type === 'Anonymous') {
      throw ossError('AccessDenied', 'Anonymous access is forbidden for this operation.');
    }
    const accountId = call.principal.accountId;
    const existing = await env.catalog.find(name);
    if (existing) {
      // The service answers the owner's repeated PutBucket with success; anyone else learns
      // only that the name is taken (bucket names are global).
      if (existing.bucket.accountId === accountId) {
        await authorize(call, [
          bucketTarget(existing.bucket, 'oss:PutBucket', undefined, headerKeys(call, ['x-oss-acl'])),
        ]);
        call.res.setHeader('location', `/${name}`);
        sendEmpty(call.res, 200);
        return;
      }
      throw ossError('BucketAlreadyExists', 'The requested bucket name is not available.', {
        BucketName: name,
      });
    }
    await authorize(call, [
      {
        action: 'oss:PutBucket',
        resource: ossArn(accountId, name),
        context: headerKeys(call, ['x-oss-acl']),
      },
    ]);
    const acl = checkedAcl(call.headers['x-oss-acl'] ?? 'private');
    let storageClass = 'Standard';
    let redundancy = 'LRS';
    const body = await readDocument(call.req, MAX_DOCUMENT_BYTES);
    if (body.length > 0) {
      const doc = parseXmlDocument(body, 'CreateBucketConfiguration');
      storageClass = childText(doc, 'StorageClass') ?? storageClass;
      redundancy = childText(doc, 'DataRedundancyType') ?? redundancy;
      if (!['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'].includes(storageClass)) {
        throw ossError('InvalidArgument', 'The storage class you specified is not valid.', {
          ArgumentName: 'StorageClass',
        });
      }
      if (!['LRS', 'ZRS'].includes(redundancy)) {
        throw ossError('InvalidArgument', 'The data redundancy type you specified is not valid.', {
          ArgumentName: 'DataRedundancyType',
        });
      }
    }
    await env.catalog.createBucket({
      name,
      accountId,
      acl,
      storageClass,
      redundancy,
      createDate: call.now.toISOString(),
    });
    call.res.setHeader('location', `/${name}`);
    sendEmpty(call.res, 200);
  }

  async function bucketInfo(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:GetBucketInfo')]);
    const host = requestedHost(call.headers).replace(/^[^.]*\./, '');
    sendXml(call.res, 200, 'BucketInfo', {
      Bucket: {
        AccessMonitor: 'Disabled',
        CreationDate: isoMillis(b.createDate),
        ExtranetEndpoint: host,
        IntranetEndpoint: host,
        Location: 'oss-cn-hangzhou',
        StorageClass: b.storageClass,
        TransferAcceleration: 'Disabled',
        CrossRegionReplication: 'Disabled',
        DataRedundancyType: b.redundancy,
        Name: b.name,
        Owner: owner(b.accountId),
        AccessControlList: { Grant: b.acl },
        Versioning: '',
        ServerSideEncryptionRule: { SSEAlgorithm: 'None' },
        BucketPolicy: { LogBucket: '', LogPrefix: '' },
      },
    });
  }

  async function bucketAcl(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:GetBucketAcl')]);
    sendXml(call.res, 200, 'AccessControlPolicy', {
      Owner: owner(b.accountId),
      AccessControlList: { Grant: b.acl },
    });
  }

  function checkedAcl(value: string): string {
    if (!(BUCKET_ACLS as readonly string[]).includes(value)) {
      throw ossError('InvalidArgument', 'no such bucket access control exists', {
        ArgumentName: 'x-oss-acl',
        ArgumentValue: value,
      });
    }
    return value;
  }

  /** PutBucketAcl: `PUT /?acl` with `x-oss-acl`; the next request sees it. */
  async function putBucketAcl(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:PutBucketAcl', undefined, headerKeys(call, ['x-oss-acl']))]);
    const header = call.headers['x-oss-acl'];
    if (header === undefined) {
      throw ossError('InvalidArgument', 'PutBucketAcl needs the x-oss-acl header.', {
        ArgumentName: 'x-oss-acl',
      });
    }
    await env.catalog.setAcl(b.name, checkedAcl(header));
    call.res.setHeader('location', `/${b.name}`);
    sendEmpty(call.res, 200);
  }

  /** ListMultipartUploads: `GET /?uploads`, the uploads in progress, by key then upload id. */
  async function listUploads(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:ListMultipartUploads')]);
    const prefix = call.query.get('prefix') ?? '';
    const delimiter = call.query.get('delimiter') ?? '';
    const keyMarker = call.query.get('key-marker') ?? '';
    const uploadIdMarker = keyMarker === '' ? '' : (call.query.get('upload-id-marker') ?? '');
    const max = intParam(call.query.get('max-uploads'), 'max-uploads', 1, 1000, 1000);
    const page = await env.catalog.listUploads(b.name, { prefix, delimiter, keyMarker, uploadIdMarker, max });
    sendXml(call.res, 200, 'ListMultipartUploadsResult', {
      Bucket: b.name,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: page.truncated ? (page.nextKey ?? '') : '',
      NextUploadIdMarker: page.truncated ? (page.nextUploadId ?? '') : '',
      Delimiter: delimiter,
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: page.truncated,
      Upload: page.uploads.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiated: isoMillis(u.initiated),
      })),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: p })),
    });
  }

  async function bucketLocation(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:GetBucketLocation')]);
    sendXml(call.res, 200, 'LocationConstraint', {});
  }

  async function deleteBucket(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:DeleteBucket')]);
    await env.catalog.deleteBucket(b.name);
    sendEmpty(call.res, 204);
  }

  async function putBucketPolicy(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:PutBucketPolicy')]);
    const body = await readDocument(call.req, MAX_BUCKET_POLICY_BYTES);
    const text = body.toString('utf8');
    const issues = validatePolicy(text, 'oss-bucket');
    if (issues.length > 0) {
      const first = issues[0]!;
      throw ossError(
        'MalformedPolicy',
        `The bucket policy is not valid: ${first.path ? `${first.path}: ` : ''}${first.message}`,
      );
    }
    await env.catalog.setPolicy(b.name, text);
    sendEmpty(call.res, 200);
  }

  async function getBucketPolicy(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:GetBucketPolicy')]);
    if (b.policy === null) {
      throw ossError('NoSuchBucketPolicy', 'The bucket policy does not exist.', { BucketName: b.name });
    }
    call.res.setHeader('content-type', 'application/json');
    call.res.setHeader('content-length', Buffer.byteLength(b.policy));
    call.res.writeHead(200);
    call.res.end(b.policy);
  }

  async function deleteBucketPolicy(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:DeleteBucketPolicy')]);
    await env.catalog.setPolicy(b.name, null);
    sendEmpty(call.res, 204);
  }

  // ---------------------------------------------------------------- listing

  async function listObjects(call: Call, b: Bucket): Promise<void> {
    const v2 = call.query.get('list-type') === '2';
    const prefix = call.query.get('prefix') ?? '';
    const delimiter = call.query.get('delimiter') ?? '';
    const encoding = call.query.get('encoding-type');
    if (encoding !== undefined && encoding !== 'url') {
      throw ossError('InvalidArgument', 'The encoding-type must be url.', { ArgumentName: 'encoding-type' });
    }
    const max = intParam(call.query.get('max-keys'), 'max-keys', 1, 1000, 100);
    if (Buffer.byteLength(prefix) > 1023 || Buffer.byteLength(delimiter) > 1023) {
      throw ossError('InvalidArgument', 'The prefix or delimiter is longer than 1023 bytes.');
    }
    const context: RequestContext = {
      'oss:Prefix': { type: 'String', values: [prefix] },
      'oss:Delimiter': { type: 'String', values: [delimiter] },
    };
    await authorize(call, [bucketTarget(b, 'oss:ListObjects', undefined, context)]);
    const enc = (s: string): string => (encoding === 'url' ? encodeURIComponent(s) : s);
    let after: string;
    const token = call.query.get('continuation-token');
    const startAfter = call.query.get('start-after') ?? '';
    if (v2) {
      after = startAfter;
      if (token !== undefined && token !== '') {
        const decoded = Buffer.from(token, 'base64url').toString('utf8');
        if (!decoded || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
          throw ossError('InvalidArgument', 'The continuation token is not valid.', {
            ArgumentName: 'continuation-token',
          });
        }
        after = decoded > after ? decoded : after;
      }
    } else {
      after = call.query.get('marker') ?? '';
    }
    const listing = await env.catalog.list(b.name, prefix, after, delimiter, max);
    const fetchOwner = !v2 || call.query.get('fetch-owner') === 'true';
    const contents = listing.objects.map((o) => ({
      Key: enc(o.key),
      LastModified: isoMillis(o.lastModified),
      ETag: quoted(o.etag),
      Type: o.type,
      Size: o.size,
      StorageClass: 'Standard',
      ...(fetchOwner ? { Owner: owner(b.accountId) } : {}),
    }));
    const prefixes = listing.prefixes.map((p) => ({ Prefix: enc(p) }));
    if (v2) {
      sendXml(call.res, 200, 'ListBucketResult', {
        Name: b.name,
        Prefix: enc(prefix),
        ...(startAfter ? { StartAfter: enc(startAfter) } : {}),
        ...(token ? { ContinuationToken: token } : {}),
        MaxKeys: max,
        Delimiter: enc(delimiter),
        ...(encoding ? { EncodingType: encoding } : {}),
        IsTruncated: listing.truncated,
        ...(listing.truncated && listing.next !== undefined
          ? { NextContinuationToken: Buffer.from(listing.next, 'utf8').toString('base64url') }
          : {}),
        KeyCount: contents.length + prefixes.length,
        Contents: contents,
        CommonPrefixes: prefixes,
      });
      return;
    }
    sendXml(call.res, 200, 'ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      Marker: enc(after),
      MaxKeys: max,
      Delimiter: enc(delimiter),
      ...(encoding ? { EncodingType: encoding } : {}),
      IsTruncated: listing.truncated,
      ...(listing.truncated && listing.next !== undefined ? { NextMarker: enc(listing.next) } : {}),
      Contents: contents,
      CommonPrefixes: prefixes,
    });
  }

  // ---------------------------------------------------------------- objects

  /**
   * Streams the request body into a durable blob, checking Content-MD5 and (V4) a declared
   * x-oss-content-sha256; the blob is removed when a check fails.
   */
  async function receiveBody(
    call: Call,
    maxBytes: number,
  ): Promise<{ blob: string; size: number; md5: string }> {
    const md5 = expectedMd5(call.headers);
    const declaredText = call.headers['content-length'];
    if (declaredText !== undefined) {
      if (!/^\d{1,15}$/.test(declaredText)) throw ossError('InvalidArgument', 'Content-Length is not valid.');
      if (Number(declaredText) > maxBytes) {
        throw ossError(
          'EntityTooLarge',
          `Your proposed upload exceeds the maximum allowed size (${maxBytes} bytes).`,
        );
      }
    } else if (call.headers['transfer-encoding'] === undefined) {
      // No body at all (RFC 9112 section 6.3): an empty object.
    }
    const claimed = call.headers['x-oss-content-sha256'];
    const checkSha = claimed !== undefined && /^[0-9a-fA-F]{64}$/.test(claimed);
    let written;
    try {
      written = await env.files.write(call.req as AsyncIterable<Buffer>, { maxBytes, sha256: checkSha });
    } catch (err) {
      if (err instanceof BlobTooLargeError) {
        throw ossError(
          'EntityTooLarge',
          `Your proposed upload exceeds the maximum allowed size (${maxBytes} bytes).`,
        );
      }
      throw err;
    }
    const fail = async (e: OssError): Promise<never> => {
      await env.files.remove([written.blob]);
      throw e;
    };
    if (declaredText !== undefined && written.size !== Number(declaredText)) {
      await fail(ossError('IncompleteBody', 'The request body is shorter than its Content-Length.'));
    }
    if (md5 !== undefined && md5 !== written.md5) {
      await fail(ossError('InvalidDigest', 'The Content-MD5 you specified did not match what we received.'));
    }
    if (checkSha && claimed.toLowerCase() !== written.sha256) {
      await fail(
        ossError('InvalidDigest', 'The x-oss-content-sha256 you specified did not match what we received.'),
      );
    }
    return written;
  }

  async function putObject(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [
      bucketTarget(b, 'oss:PutObject', call.key, headerKeys(call, ['x-oss-forbid-overwrite'])),
    ]);
    const headers = storedHeaders(call.headers, call.key);
    const forbid = call.headers['x-oss-forbid-overwrite'] === 'true';
    const written = await receiveBody(call, MAX_OBJECT_BYTES);
    const etag = written.md5.toUpperCase();
    let old: string | undefined;
    try {
      old = await env.catalog.putObject(
        b,
        {
          key: call.key,
          blob: written.blob,
          size: written.size,
          etag,
          type: 'Normal',
          headers,
          lastModified: call.now.toISOString(),
        },
        forbid,
      );
    } catch (err) {
      await env.files.remove([written.blob]);
      throw err;
    }
    if (old) await env.files.remove([old]);
    call.res.setHeader('etag', quoted(etag));
    call.res.setHeader('content-md5', Buffer.from(written.md5, 'hex').toString('base64'));
    sendEmpty(call.res, 200);
  }

  function objectHeaders(call: Call, o: ObjectRecord): void {
    for (const [name, value] of Object.entries(o.headers)) call.res.setHeader(name, value);
    call.res.setHeader('etag', quoted(o.etag));
    call.res.setHeader('last-modified', new Date(o.lastModified).toUTCString());
    call.res.setHeader('x-oss-object-type', o.type);
    call.res.setHeader('x-oss-storage-class', 'Standard');
    call.res.setHeader('accept-ranges', 'bytes');
  }

  /**
   * 304 or 412 when a conditional header says so; undefined to go on. `prefix`: the headers'
   * prefix, `if-` for GetObject, `x-oss-copy-source-if-` for CopyObject's source.
   */
  function precondition(call: Call, o: ObjectRecord, prefix = 'if-'): number | undefined {
    const h = {
      'if-match': call.headers[`${prefix}match`],
      'if-none-match': call.headers[`${prefix}none-match`],
      'if-modified-since': call.headers[`${prefix}modified-since`],
      'if-unmodified-since': call.headers[`${prefix}unmodified-since`],
    };
    const tag = quoted(o.etag);
    const matches = (list: string): boolean =>
      list.split(',').some((t) => {
        const v = t.trim();
        return v === '*' || v === tag || v === o.etag || v.toUpperCase() === tag;
      });
    const modified = Math.floor(new Date(o.lastModified).getTime() / 1000);
    const dateOf = (v: string): number | undefined => {
      const t = Date.parse(v);
      return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
    };
    // In RFC 9110's order (13.2.2): a date is looked at only when no entity tag of its kind is
    // given (If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since).
    if (h['if-match'] !== undefined) {
      if (!matches(h['if-match'])) return 412;
    } else if (h['if-unmodified-since'] !== undefined) {
      const t = dateOf(h['if-unmodified-since']);
      if (t !== undefined && modified > t) return 412;
    }
    if (h['if-none-match'] !== undefined) {
      if (matches(h['if-none-match'])) return 304;
    } else if (h['if-modified-since'] !== undefined) {
      const t = dateOf(h['if-modified-since']);
      if (t !== undefined && modified <= t) return 304;
    }
    return undefined;
  }

  /** The byte range asked for: undefined for the whole object; 'unsatisfiable' for InvalidRange. */
  function range(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
    if (header === undefined) return undefined;
    const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    // A malformed or multi-range header is ignored: the whole object, as the service does.
    if (!m || (m[1] === '' && m[2] === '')) return undefined;
    if (m[1] === '') {
      const n = Number(m[2]);
      // No last bytes to give: a suffix of nothing, or an empty object.
      if (n === 0 || size === 0) return 'unsatisfiable';
      return [Math.max(0, size - n), size - 1];
    }
    const start = Number(m[1]);
    // A last byte before the first is not a range (RFC 9110 14.1.1): the header is ignored,
    // wherever the first byte lies.
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size) return 'unsatisfiable';
    return [start, end];
  }

  async function getObject(call: Call, b: Bucket, o: ObjectRecord | undefined, head: boolean): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:GetObject', call.key)]);
    const overrides = responseOverrides(call.query, call.auth.kind === 'anonymous');
    if (!o) throw noSuchKey(call.key);
    const pre = precondition(call, o);
    if (pre === 412)
      throw ossError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.');
    if (pre === 304) {
      call.res.setHeader('etag', quoted(o.etag));
      call.res.setHeader('last-modified', new Date(o.lastModified).toUTCString());
      sendEmpty(call.res, 304);
      return;
    }
    if (call.query.has('objectMeta')) {
      call.res.setHeader('etag', quoted(o.etag));
      call.res.setHeader('last-modified', new Date(o.lastModified).toUTCString());
      call.res.setHeader('content-length', o.size);
      call.res.writeHead(200);
      call.res.end();
      return;
    }
    objectHeaders(call, o);
    for (const [header, value] of overrides) call.res.setHeader(header, value);
    // Objects are served on the console's origin, and whoever may write one chooses its bytes
    // and its type: a page or image among them is shown in a sandbox of its own (an opaque
    // origin, no script, no form), never as the console, and never sniffed into another type.
    call.res.setHeader('content-security-policy', 'sandbox');
    call.res.setHeader('x-content-type-options', 'nosniff');
    const r = range(call.headers.range, o.size);
    if (r === 'unsatisfiable') {
      throw ossError('InvalidRange', 'The requested range cannot be satisfied.', {
        RangeRequested: call.headers.range ?? '',
        ActualObjectSize: String(o.size),
      });
    }
    const [start, end] = r ?? [0, o.size - 1];
    const length = o.size === 0 ? 0 : end - start + 1;
    call.res.setHeader('content-length', length);
    if (r) call.res.setHeader('content-range', `bytes ${start}-${end}/${o.size}`);
    if (head || length === 0) {
      call.res.writeHead(r ? 206 : 200);
      call.res.end();
      return;
    }
    if (length <= SMALL_READ_BYTES) {
      const bytes = env.files.readSmall(o.blob, start, length, o.size);
      call.res.writeHead(r ? 206 : 200);
      call.res.end(bytes);
      return;
    }
    const fh = await env.files.open(o.blob);
    call.res.writeHead(r ? 206 : 200);
    await pipeline(fh.createReadStream({ start, end, highWaterMark: 256 * 1024 }), call.res);
  }

  async function deleteObject(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:DeleteObject', call.key)]);
    const removed = await env.catalog.deleteObjects(b.name, [call.key]);
    await env.files.remove(removed.map((r) => r.blob));
    sendEmpty(call.res, 204);
  }

  async function deleteMultiple(call: Call, b: Bucket): Promise<void> {
    if (call.headers['content-md5'] === undefined) {
      throw ossError('MissingArgument', 'Content-MD5 is required for DeleteMultipleObjects.', {
        ArgumentName: 'Content-MD5',
      });
    }
    const body = await readDocument(call.req, MAX_DOCUMENT_BYTES);
    const md5 = expectedMd5(call.headers)!;
    if (createHash('md5').update(body).digest('hex') !== md5) {
      throw ossError('InvalidDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    // Each Object names exactly one Key, its text exactly as written (references decoded).
    const doc = parseXmlDocument(body, 'Delete');
    const objects = childrenNamed(doc, 'Object');
    if (objects.length === 0 || objects.length > 1000) {
      throw ossError('MalformedXML', 'The Delete document must name 1 to 1000 objects.');
    }
    const keys = objects.map((o) => {
      if (childrenNamed(o, 'VersionId').length > 0) throw notImplemented('Deleting a version (VersionId)');
      const named = childrenNamed(o, 'Key');
      if (named.length !== 1) throw malformedXml('every Object names exactly one Key');
      return textOf(named[0]!);
    });
    const quiet = (childText(doc, 'Quiet') ?? 'false').toLowerCase() === 'true';
    for (const k of keys) checkObjectKey(k);
    await authorize(
      call,
      keys.map((k) => bucketTarget(b, 'oss:DeleteObject', k)),
    );
    const removed = await env.catalog.deleteObjects(b.name, keys);
    await env.files.remove(removed.map((r) => r.blob));
    const encoding = call.query.get('encoding-type');
    sendXml(call.res, 200, 'DeleteResult', {
      ...(encoding === 'url' ? { EncodingType: 'url' } : {}),
      Deleted: quiet ? [] : keys.map((k) => ({ Key: encoding === 'url' ? encodeURIComponent(k) : k })),
    });
  }

  async function copyObject(call: Call, b: Bucket): Promise<void> {
    const source = call.headers['x-oss-copy-source']!;
    const q = source.indexOf('?');
    const m = /^\/?([^/]+)\/(.+)$/.exec(q < 0 ? source : source.slice(0, q));
    if (!m)
      throw ossError('InvalidArgument', 'x-oss-copy-source is not valid.', {
        ArgumentName: 'x-oss-copy-source',
      });
    // `?versionId=` names a version of the source; objects here have one version only, and
    // copying the current one instead would copy what was not asked for.
    if (q >= 0) {
      const params = parseUrlEncoded(source.slice(q + 1));
      if (params.some(([n]) => n === 'versionId'))
        throw notImplemented('CopyObject from a version of the source (x-oss-copy-source with versionId)');
      if (params.length > 0)
        throw ossError('InvalidArgument', 'x-oss-copy-source is not valid.', {
          ArgumentName: 'x-oss-copy-source',
        });
    }
    const srcBucketName = percentDecode(m[1]!);
    const srcKey = percentDecode(m[2]!);
    checkBucketName(srcBucketName);
    checkObjectKey(srcKey);
    const src = await findBucket(srcBucketName, srcKey);
    await authorize(call, [
      bucketTarget(src.bucket, 'oss:GetObject', srcKey),
      bucketTarget(b, 'oss:PutObject', call.key, headerKeys(call, ['x-oss-forbid-overwrite'])),
    ]);
    const o = src.object;
    if (!o) throw noSuchKey(srcKey);
    const h = call.headers;
    // The source's conditions, as GetObject's: an entity tag quoted or not, and the dates.
    const pre = precondition(call, o, 'x-oss-copy-source-if-');
    if (pre === 412)
      throw ossError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.');
    if (pre === 304) {
      sendEmpty(call.res, 304);
      return;
    }
    const directive = h['x-oss-metadata-directive'] ?? 'COPY';
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw ossError('InvalidArgument', 'x-oss-metadata-directive must be COPY or REPLACE.');
    }
    const headers = directive === 'REPLACE' ? storedHeaders(h, call.key) : o.headers;
    // Blobs are immutable and owned by one row: the copy gets its own file.
    const written = await env.files.concat([o.blob]);
    const lastModified = call.now.toISOString();
    let old: string | undefined;
    try {
      old = await env.catalog.putObject(
        b,
        {
          key: call.key,
          blob: written.blob,
          size: written.size,
          etag: o.etag,
          type: o.type,
          headers,
          lastModified,
        },
        h['x-oss-forbid-overwrite'] === 'true',
      );
    } catch (err) {
      await env.files.remove([written.blob]);
      throw err;
    }
    if (old) await env.files.remove([old]);
    sendXml(call.res, 200, 'CopyObjectResult', {
      ETag: quoted(o.etag),
      LastModified: isoMillis(lastModified),
    });
  }

  // ---------------------------------------------------------------- multipart

  async function initiateUpload(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:PutObject', call.key)]);
    const uploadId = randomBytes(16).toString('hex').toUpperCase();
    await env.catalog.createUpload({
      uploadId,
      bucket: b.name,
      key: call.key,
      headers: storedHeaders(call.headers, call.key),
      initiated: call.now.toISOString(),
    });
    sendXml(call.res, 200, 'InitiateMultipartUploadResult', {
      Bucket: b.name,
      Key: call.key,
      UploadId: uploadId,
    });
  }

  async function upload(call: Call, b: Bucket) {
    const uploadId = call.query.get('uploadId') ?? '';
    const u = uploadId ? await env.catalog.findUpload(b.name, call.key, uploadId) : undefined;
    if (!u) throw noSuchUpload(uploadId);
    return u;
  }

  async function uploadPart(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:PutObject', call.key)]);
    const partNumber = partNumberParam(call.query.get('partNumber'));
    const u = await upload(call, b);
    const written = await receiveBody(call, MAX_OBJECT_BYTES);
    const etag = written.md5.toUpperCase();
    let old: string | undefined;
    try {
      old = await env.catalog.putPart(u.uploadId, {
        partNumber,
        blob: written.blob,
        size: written.size,
        etag,
        lastModified: call.now.toISOString(),
      });
    } catch (err) {
      await env.files.remove([written.blob]);
      throw err;
    }
    if (old) await env.files.remove([old]);
    call.res.setHeader('etag', quoted(etag));
    sendEmpty(call.res, 200);
  }

  /**
   * The parts of a CompleteMultipartUpload, from its document (or every stored part with
   * `x-oss-complete-all: yes`): ascending numbers, each stored with the ETag named, every part
   * but the last at least MIN_PART_BYTES.
   */
  function chooseParts(
    stored: readonly PartRecord[],
    listed: readonly { number: string; etag: string }[] | undefined,
  ): PartRecord[] {
    const entries = listed ?? stored.map((p) => ({ number: String(p.partNumber), etag: quoted(p.etag) }));
    if (entries.length === 0)
      throw ossError('MalformedXML', 'The CompleteMultipartUpload document names no part.');
    const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
    const parts: PartRecord[] = [];
    let previous = 0;
    for (const entry of entries) {
      const n = /^[0-9]{1,5}$/.test(entry.number) ? Number(entry.number) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
        throw ossError('InvalidPart', 'One or more of the specified parts could not be found.');
      }
      if (n <= previous) throw ossError('InvalidPartOrder', 'The list of parts was not in ascending order.');
      previous = n;
      const p = byNumber.get(n);
      if (!p || entry.etag.replace(/"/g, '').toUpperCase() !== p.etag) {
        throw ossError(
          'InvalidPart',
          'One or more of the specified parts could not be found or the specified ETag did not match.',
          { PartNumber: String(n) },
        );
      }
      parts.push(p);
    }
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i]!.size < MIN_PART_BYTES) {
        throw ossError(
          'EntityTooSmall',
          `Your proposed upload is smaller than the minimum allowed size (${MIN_PART_BYTES} bytes for every part but the last).`,
          {
            PartNumber: String(parts[i]!.partNumber),
            MinSizeAllowed: String(MIN_PART_BYTES),
          },
        );
      }
    }
    return parts;
  }

  /** A CompleteMultipartUpload document's Part list, texts as written; MalformedXML unless each Part has one PartNumber and one ETag. */
  function listedParts(body: Buffer): { number: string; etag: string }[] {
    const doc = parseXmlDocument(body, 'CompleteMultipartUpload');
    return childrenNamed(doc, 'Part').map((part) => {
      const number = childText(part, 'PartNumber');
      const etag = childText(part, 'ETag');
      if (number === undefined || etag === undefined)
        throw malformedXml('every Part names a PartNumber and an ETag');
      return { number, etag };
    });
  }

  /** How often a Complete joins its parts again when one was uploaded again meanwhile. */
  const COMPLETE_ATTEMPTS = 3;

  /**
   * CompleteMultipartUpload. The parts are joined into a new file, then one transaction checks
   * that the upload is still there and its parts are still those files, puts the object and
   * ends the upload. So of racing Completes and Aborts exactly one wins (the others:
   * NoSuchUpload); a part uploaded again meanwhile makes the Complete read the parts again (its
   * ETag no longer what the document names: InvalidPart). The joined file is removed whenever
   * the object does not go in.
   */
  async function completeUpload(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [
      bucketTarget(b, 'oss:PutObject', call.key, headerKeys(call, ['x-oss-forbid-overwrite'])),
    ]);
    const u = await upload(call, b);
    const body = await readDocument(call.req, MAX_DOCUMENT_BYTES);
    const listed = call.headers['x-oss-complete-all'] === 'yes' ? undefined : listedParts(body);
    const forbid = call.headers['x-oss-forbid-overwrite'] === 'true';
    for (let attempt = 1; ; attempt++) {
      // Still there? (An Abort or another Complete ends it; its part files go with it.)
      if (attempt > 1) await upload(call, b);
      let parts: PartRecord[];
      try {
        parts = chooseParts(await env.catalog.listParts(u.uploadId), listed);
      } catch (err) {
        // Its parts went with the upload (an Abort or another Complete won): NoSuchUpload.
        await upload(call, b);
        throw err;
      }
      let written;
      try {
        written = await env.files.concat(parts.map((p) => p.blob));
      } catch (err) {
        // A part's file went away while it was read: replaced by a new upload of the part, or
        // the upload ended.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (attempt < COMPLETE_ATTEMPTS) continue;
        await upload(call, b);
        throw partsChanged();
      }
      const etag = `${createHash('md5')
        .update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex'))))
        .digest('hex')
        .toUpperCase()}-${parts.length}`;
      let result;
      try {
        result = await env.catalog.completeUpload(
          b,
          u.uploadId,
          parts,
          {
            key: call.key,
            blob: written.blob,
            size: written.size,
            etag,
            type: 'Multipart',
            headers: u.headers,
            lastModified: call.now.toISOString(),
          },
          forbid,
        );
      } catch (err) {
        await env.files.remove([written.blob]);
        throw err;
      }
      if (result.outcome !== 'done') {
        await env.files.remove([written.blob]);
        if (result.outcome === 'gone') throw noSuchUpload(u.uploadId);
        if (attempt < COMPLETE_ATTEMPTS) continue;
        throw partsChanged();
      }
      await env.files.remove(result.unused);
      sendXml(call.res, 200, 'CompleteMultipartUploadResult', {
        Location: `http://${requestedHost(call.headers)}/${encodeURIComponent(call.key)}`,
        Bucket: b.name,
        Key: call.key,
        ETag: quoted(etag),
      });
      return;
    }
  }

  async function abortUpload(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:AbortMultipartUpload', call.key)]);
    const u = await upload(call, b);
    // A Complete or another Abort that ended it first wins: NoSuchUpload, nothing removed twice.
    const blobs = await env.catalog.endUpload(u.uploadId);
    if (!blobs) throw noSuchUpload(u.uploadId);
    await env.files.remove(blobs);
    sendEmpty(call.res, 204);
  }

  async function listParts(call: Call, b: Bucket): Promise<void> {
    await authorize(call, [bucketTarget(b, 'oss:ListParts', call.key)]);
    const u = await upload(call, b);
    const marker = intParam(
      call.query.get('part-number-marker'),
      'part-number-marker',
      0,
      MAX_PART_NUMBER,
      0,
    );
    const max = intParam(call.query.get('max-parts'), 'max-parts', 1, 1000, 1000);
    const all = (await env.catalog.listParts(u.uploadId)).filter((p) => p.partNumber > marker);
    const page = all.slice(0, max);
    const truncated = all.length > max;
    sendXml(call.res, 200, 'ListPartsResult', {
      Bucket: b.name,
      Key: call.key,
      UploadId: u.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length ? page[page.length - 1]!.partNumber : marker,
      MaxParts: max,
      IsTruncated: truncated,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: isoMillis(p.lastModified),
        ETag: quoted(p.etag),
        Size: p.size,
      })),
    });
  }

  // ---------------------------------------------------------------- routing

  /**
   * Routes a request by its method and the sub-resources it names (`route`). An operation that
   * is not served (NotImplemented, MethodNotAllowed) is answered before authorization, as the
   * handler has always answered MethodNotAllowed: nothing is done, and the answer depends only
   * on the request itself and on the bucket existing (NoSuchBucket comes first, as for every
   * request; bucket names are global and that answer is public anyway), never on an object, so
   * an unauthorized caller learns nothing from it. Every served operation authorizes before it
   * reads or changes anything, its argument checks (a part number included) coming after.
   */
  async function dispatch(call: Call): Promise<void> {
    const name = call.bucketName;
    const level = name === undefined ? 'service' : call.key === '' ? 'bucket' : 'object';
    if (name !== undefined) checkBucketName(name);
    if (level === 'object') checkObjectKey(call.key);
    const op = route(level, call.method, call.query, call.headers);
    if (name === undefined) {
      if (op instanceof OssError) throw op;
      return listBuckets(call);
    }
    if (op === 'PutBucket') return putBucket(call, name);
    const reads = op === 'GetObject' || op === 'HeadObject';
    const { bucket, object } = await findBucket(name, reads ? call.key : undefined);
    if (op instanceof OssError) throw op;
    switch (op) {
      case 'GetBucketInfo':
        return bucketInfo(call, bucket);
      case 'GetBucketPolicy':
        return getBucketPolicy(call, bucket);
      case 'GetBucketAcl':
        return bucketAcl(call, bucket);
      case 'GetBucketLocation':
        return bucketLocation(call, bucket);
      case 'ListMultipartUploads':
        return listUploads(call, bucket);
      case 'ListObjects':
        return listObjects(call, bucket);
      case 'PutBucketPolicy':
        return putBucketPolicy(call, bucket);
      case 'PutBucketAcl':
        return putBucketAcl(call, bucket);
      case 'DeleteBucketPolicy':
        return deleteBucketPolicy(call, bucket);
      case 'DeleteBucket':
        return deleteBucket(call, bucket);
      case 'DeleteMultipleObjects':
        return deleteMultiple(call, bucket);
      case 'GetObject':
        return getObject(call, bucket, object, false);
      case 'HeadObject':
        return getObject(call, bucket, object, true);
      case 'PutObject':
        if (call.headers['x-oss-copy-source'] !== undefined) return copyObject(call, bucket);
        return putObject(call, bucket);
      case 'DeleteObject':
        return deleteObject(call, bucket);
      case 'InitiateMultipartUpload':
        return initiateUpload(call, bucket);
      case 'UploadPart':
        return uploadPart(call, bucket);
      case 'CompleteMultipartUpload':
        return completeUpload(call, bucket);
      case 'AbortMultipartUpload':
        return abortUpload(call, bucket);
      case 'ListParts':
        return listParts(call, bucket);
      case 'ListBuckets':
        break;
    }
    throw methodNotAllowed();
  }

  /** Serves one OSS request; never rejects (errors are answered in the OSS envelope). */
  return async function handleOss(
    req: IncomingMessage,
    res: ServerResponse,
    client: OssClient,
  ): Promise<void> {
    const requestId = newOssRequestId();
    const now = env.now();
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const headers = flatHeaders(req.headers);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    baseHeaders(res, requestId, now);
    try {
      checkV4Dates({ headers, rawQuery }, now, env.auth?.checkFreshness ?? true);
      const auth = await authenticateOss(
        { method, path, rawQuery, headers },
        env.services,
        now,
        env.auth,
      ).catch((err: unknown) => {
        throw err instanceof ApiError ? translate(err) : err;
      });
      if (auth.kind === 'signed' && !auth.accessKeyId.startsWith('STS.')) {
        try {
          const writing = env.services.domain.accessKeys.recordUse(auth.accessKeyId, now);
          if (writing) await writing;
        } catch {
          // Recording is best effort.
        }
      }
      const principal = auth.kind === 'signed' ? auth.principal : ANONYMOUS;
      const target = (auth.kind === 'signed' ? auth.ossTarget : undefined) ?? ossTarget({ path, headers });
      // A key is UTF-8: escapes that do not decode as UTF-8 name no key (kept as written, they
      // would be a second spelling of the key `%FF`, say).
      if (target?.key && !escapesAreUtf8(path))
        throw ossError(
          'InvalidObjectName',
          'The specified object is not valid: the object name is not valid UTF-8.',
        );
      const query = new Map(parseUrlEncoded(rawQuery));
      const context = buildRequestContext({
        sourceIp: client.sourceIp,
        now,
        secure: client.secure,
        principal: auth.kind === 'signed' ? principal : undefined,
        accessKeyId: auth.kind === 'signed' ? auth.accessKeyId : undefined,
        mfaPresent: auth.kind === 'signed' && auth.mfaPresent === true,
        userAgent: headers['user-agent'],
        referer: headers.referer,
      });
      await dispatch({
        req,
        res,
        method,
        headers,
        query,
        bucketName: target?.bucket,
        key: target?.key ?? '',
        principal,
        auth,
        context,
        requestId,
        now,
      });
    } catch (err) {
      // The client went away (an upload cut off, a download abandoned): nothing to answer,
      // nothing written (an unfinished upload's file is removed), nothing worth a log line.
      if (clientGone(req, res, err)) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        if (!(err instanceof OssError)) env.logError?.(requestId, err);
        return;
      }
      const e = err instanceof OssError ? err : undefined;
      if (!e) env.logError?.(requestId, err);
      // A refused upload is not read to its end: the connection closes instead.
      if (!req.complete) res.setHeader('connection', 'close');
      sendError(
        res,
        e ?? ossError('InternalError', 'We encountered an internal error. Please try again.'),
        requestId,
        requestedHost(headers),
        head,
      );
    }
  };
}
