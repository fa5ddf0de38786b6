import { ApiError, internalError } from '../../errors.js';
import type { ServiceName } from '../action.js';
import { SERVICE_HOSTS, SERVICE_PRODUCTS } from '../registry.js';
import { toXml } from './xml.js';
import { JSON_CONTENT_TYPE, XML_CONTENT_TYPE, type ResponseFormat, type WireResponse } from './wire.js';

/**
 * Writes answers. A success is the action's result plus RequestId, as JSON or as XML
 * under `<ActionResponse>`. An error is the envelope RequestId, HostId, Code, Message,
 * Recommend (and AccessDeniedDetail on NoPermission) with the code's HTTP status.
 */
function baseHeaders(requestId: string, format: ResponseFormat): Record<string, string> {
  return {
    'content-type': format === 'JSON' ? JSON_CONTENT_TYPE : XML_CONTENT_TYPE,
    'x-acs-request-id': requestId,
  };
}

export function successResponse(
  requestId: string,
  format: ResponseFormat,
  action: string,
  result: object,
): WireResponse {
  const body = { RequestId: requestId, ...result } as Record<string, unknown>;
  return {
    status: 200,
    headers: baseHeaders(requestId, format),
    body: format === 'JSON' ? JSON.stringify(body) : toXml(`${action}Response`, body),
  };
}

export interface ErrorTarget {
  readonly requestId: string;
  readonly format: ResponseFormat;
  /** The service the request was meant for; RAM when unknown. */
  readonly service: ServiceName | undefined;
}

export function recommendUrl(code: string, service: ServiceName | undefined, requestId: string): string {
  const product = SERVICE_PRODUCTS[service ?? 'ram'];
  return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=${product}&requestId=${requestId}`;
}

/** The envelope object of an error (also what the CLI prints). */
export function errorBody(err: ApiError, target: ErrorTarget): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RequestId: target.requestId,
    HostId: SERVICE_HOSTS[target.service ?? 'ram'],
    Code: err.code,
    Message: err.message,
    Recommend: recommendUrl(err.code, target.service, target.requestId),
  };
  if (err.detail) body.AccessDeniedDetail = err.detail;
  return body;
}

/** Any thrown value as an answer; what is not an ApiError becomes InternalError without detail. */
export function errorResponse(thrown: unknown, target: ErrorTarget): WireResponse {
  const err = thrown instanceof ApiError ? thrown : internalError();
  const body = errorBody(err, target);
  return {
    status: err.status,
    headers: baseHeaders(target.requestId, target.format),
    body: target.format === 'JSON' ? JSON.stringify(body) : toXml('Error', body),
  };
}
