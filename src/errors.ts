import { errorCatalog } from './error-catalog.gen.js';

/** What a NoPermission answer carries besides code and message (error-codes.md section 2). */
export interface AccessDeniedDetail {
  readonly AuthAction: string;
  readonly AuthPrincipalType: string;
  readonly AuthPrincipalDisplayName: string;
  readonly AuthPrincipalOwnerId: string;
  readonly PolicyType: string;
  readonly NoPermissionType: 'ImplicitDeny' | 'ExplicitDeny';
  readonly EncodedDiagnosticMessage: string;
}

/**
 * The one error type handlers throw. Only the protocol layer turns it into an envelope
 * (RequestId, HostId, Code, Message, Recommend). Anything that is not an ApiError is
 * answered as InternalError 500 without its inner message.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly detail?: AccessDeniedDetail,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * An ApiError whose HTTP status comes from the error catalogue. An unknown code is a
 * programming error: it fails loudly instead of inventing a status.
 */
export function apiError(code: string, message: string, detail?: AccessDeniedDetail): ApiError {
  const entry = errorCatalog[code];
  if (!entry) throw new Error(`error code ${code} is not in the catalogue`);
  return new ApiError(code, entry.status, message, detail);
}

/** An ApiError for a code the catalogue does not list, with an explicit status. */
export function apiErrorWithStatus(code: string, status: number, message: string): ApiError {
  return new ApiError(code, status, message);
}

/** The store (database) cannot be reached or timed out: nothing was done; retry later. */
export const serviceUnavailable = (): ApiError =>
  apiError('ServiceUnavailable', 'The backing service is temporarily unavailable. Please try again later.');

export const internalError = (): ApiError =>
  new ApiError('InternalError', 500, 'The request processing has failed due to some unknown error.');

/** An ApiError with the catalogue's status for the code, or 400 for a code the catalogue lacks. */
export function paramError(code: string, message: string): ApiError {
  return new ApiError(code, errorCatalog[code]?.status ?? 400, message);
}

/** `Missing<Name>`: a required parameter of the action is absent (gateway style). */
export function missingParameter(name: string): ApiError {
  return paramError(`Missing${name}`, `${name} is mandatory for this action.`);
}

/** `MissingParameter`: a common parameter of the protocol (Action, Version, AccessKeyId, Signature, ...) is absent. */
export function missingCommonParameter(name: string): ApiError {
  return apiError(
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

/** The generic `InvalidParameter` with a message naming the parameter. */
export function invalidParameter(name: string, rule: string): ApiError {
  return paramError('InvalidParameter', `The parameter - "${name}" ${rule}`);
}
