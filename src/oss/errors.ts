/**
 * The OSS error catalogue: code, HTTP status and the fine-grained `EC` (`NNNN-NNNNNNNN`) the
 * envelope and the `x-oss-ec` header carry. AccessDenied (0003-00000001) and MissingArgument
 * (0016-00000502) are the service's own values; the others are Rampart's, in the same shape.
 */
export const OSS_ERRORS = {
  AccessDenied: [403, '0003-00000001'],
  InvalidAccessKeyId: [403, '0002-00000901'],
  SignatureDoesNotMatch: [403, '0002-00000040'],
  RequestTimeTooSkewed: [403, '0002-00000901'],
  InvalidSecurityToken: [403, '0002-00000907'],
  SecurityTokenExpired: [403, '0002-00000908'],
  NoSuchBucket: [404, '0015-00000101'],
  NoSuchKey: [404, '0026-00000001'],
  NoSuchUpload: [404, '0042-00000002'],
  NoSuchBucketPolicy: [404, '0031-00000001'],
  BucketAlreadyExists: [409, '0015-00000108'],
  BucketNotEmpty: [409, '0015-00000301'],
  InvalidBucketName: [400, '0015-00000101'],
  InvalidObjectName: [400, '0016-00000005'],
  InvalidArgument: [400, '0017-00000001'],
  InvalidDigest: [400, '0016-00000401'],
  InvalidRequest: [400, '0017-00000002'],
  InvalidPart: [400, '0042-00000003'],
  InvalidPartOrder: [400, '0042-00000004'],
  EntityTooSmall: [400, '0042-00000005'],
  EntityTooLarge: [400, '0016-00000201'],
  MalformedXML: [400, '0016-00000601'],
  MalformedPolicy: [400, '0031-00000002'],
  MissingArgument: [400, '0016-00000502'],
  MissingContentLength: [411, '0016-00000503'],
  InvalidRange: [416, '0016-00000207'],
  MethodNotAllowed: [405, '0016-00000101'],
  NotImplemented: [501, '0016-00000102'],
  PreconditionFailed: [412, '0016-00000301'],
  FileAlreadyExists: [409, '0016-00000302'],
  TooManyBuckets: [400, '0015-00000102'],
  IncompleteBody: [400, '0016-00000504'],
  InternalError: [500, '0000-00000001'],
} as const satisfies Record<string, readonly [number, string]>;

export type OssErrorCode = keyof typeof OSS_ERRORS;

/** An OSS error answer; `extra` elements (BucketName, Key, StringToSign...) join the envelope. */
export class OssError extends Error {
  readonly status: number;
  readonly ec: string;
  constructor(
    readonly code: OssErrorCode,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'OssError';
    [this.status, this.ec] = OSS_ERRORS[code];
  }
}

export const ossError = (
  code: OssErrorCode,
  message: string,
  extra?: Readonly<Record<string, string>>,
): OssError => new OssError(code, message, extra);

export const noSuchBucket = (bucket: string): OssError =>
  ossError('NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket });

export const noSuchKey = (key: string): OssError =>
  ossError('NoSuchKey', 'The specified key does not exist.', { Key: key });
