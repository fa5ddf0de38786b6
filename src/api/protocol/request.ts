import { randomUUID } from 'node:crypto';
import { headerValue } from '../../auth/headers.js';
import { parseFormEncoded } from '../../auth/percent-encode.js';
import { isV3Authorization } from '../../auth/signature-v3.js';
import { apiError } from '../../errors.js';
import type { ResponseFormat, WireRequest } from './wire.js';

/**
 * The protocol view of a request: parameters from the query and a form body, Action and
 * Version (from the parameters, or the x-acs-action / x-acs-version headers of V3
 * clients), and the response format.
 */
export interface ProtocolRequest {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters, wire order. */
  readonly query: readonly [string, string][];
  /** Decoded form-body parameters, wire order (empty for other bodies). */
  readonly form: readonly [string, string][];
  /** Query and form merged; a form value wins over a query value of the same name. */
  readonly params: Readonly<Record<string, string>>;
  readonly action: string | undefined;
  readonly version: string | undefined;
  readonly format: ResponseFormat;
  /** Whether the request carries an ACS3 Authorization header. */
  readonly v3: boolean;
}

/** Common parameters of the RPC protocol; everything else is handed to the action. */
export const COMMON_PARAMS: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'RegionId',
  'BearerToken',
]);

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function isFormBody(req: WireRequest): boolean {
  const type = headerValue(req.headers, 'content-type');
  return !!type && type.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The format the answer is written in, before the request is fully understood. */
export function chooseFormat(
  explicit: string | undefined,
  v3: boolean,
  accept: string | undefined,
): ResponseFormat {
  if (explicit !== undefined) {
    const f = explicit.toUpperCase();
    if (f === 'JSON' || f === 'XML') return f;
  }
  if (v3) return 'JSON';
  if (accept && accept.toLowerCase().includes('application/json')) return 'JSON';
  return 'XML';
}

/** Parses the request; never throws (checkProtocol refuses what the protocol cannot serve). */
export function parseProtocol(req: WireRequest, requestId: string, receivedAt: Date): ProtocolRequest {
  const query = parseFormEncoded(req.rawQuery);
  const form = isFormBody(req) && req.body.length > 0 ? parseFormEncoded(req.body.toString('utf8')) : [];
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) params[k] = v;
  for (const [k, v] of form) params[k] = v;

  const v3 = isV3Authorization(headerValue(req.headers, 'authorization'));
  return {
    requestId,
    receivedAt,
    method: req.method,
    path: req.path,
    query,
    form,
    params,
    action: params.Action ?? headerValue(req.headers, 'x-acs-action'),
    version: params.Version ?? headerValue(req.headers, 'x-acs-version'),
    format: chooseFormat(params.Format, v3, headerValue(req.headers, 'accept')),
    v3,
  };
}

/** Refuses a method other than GET/POST, a path other than `/`, and a Format other than JSON/XML. */
export function checkProtocol(p: ProtocolRequest): void {
  if (p.method !== 'GET' && p.method !== 'POST') {
    throw apiError('UnsupportedHTTPMethod', `The HTTP method ${p.method} is not supported for this API.`);
  }
  if (p.params.Format !== undefined && !/^(json|xml)$/i.test(p.params.Format)) {
    throw apiError('InvalidParameter.Format', 'The specified parameter "Format" is not valid.');
  }
}
