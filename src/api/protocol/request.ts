import { randomFillSync } from 'node:crypto';
import { headerValue } from '../../auth/headers.js';
import { parseFormEncoded } from '../../auth/percent-encode.js';
import { isV3Authorization } from '../../auth/signature-v3.js';
import { apiError } from '../../errors.js';
import type { ResponseFormat, WireRequest } from './wire.js';

/**
 * The protocol view of a request: parameters from the query and a form body, Action and
 * Version (see actionAndVersion), and the response format.
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
  /** The action called; see actionAndVersion for where it comes from. */
  readonly action: string | undefined;
  readonly version: string | undefined;
  readonly format: ResponseFormat;
  /** Whether the request carries an ACS3 Authorization header. */
  readonly v3: boolean;
  /**
   * Whether the query and form together hold more than MAX_REQUEST_PARAMETERS pairs (then
   * only the first ones were read, and checkProtocol refuses the request).
   */
  readonly tooManyParameters: boolean;
}

/**
 * The most parameters (query and form body together) a request may carry. The largest real
 * request has a few dozen; the bound keeps parsing, sorting and canonicalizing cheap before
 * the caller is known.
 */
export const MAX_REQUEST_PARAMETERS = 1000;

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

const ID_POOL = 256;
const idRandom = Buffer.alloc(16 * ID_POOL);
let idNext = ID_POOL;

/**
 * A request id (also the eventId of the request's audit event): a UUID of version 7, upper
 * case. Its first 48 bits are the time in milliseconds and the other 74 are random, so ids
 * sort by time: the store's event-id index grows at its end instead of touching a random page
 * for every event. The time it shows is no secret (the answer's Date header says as much).
 */
export function newRequestId(): string {
  if (idNext === ID_POOL) {
    randomFillSync(idRandom);
    idNext = 0;
  }
  const b = idRandom.subarray(16 * idNext, 16 * idNext + 16);
  idNext++;
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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

/**
 * Where Action and Version come from, so that they are always covered by the signature the
 * request is authenticated with:
 *
 * - a V3 request (`Authorization: ACS3-...`): the x-acs-action and x-acs-version headers,
 *   which V3 authentication requires to be signed (V3_REQUIRED_SIGNED_HEADERS); Action and
 *   Version parameters are ignored;
 * - any other request (V2, whose signature covers the parameters, or unsigned): the Action
 *   and Version parameters only. x-acs-* headers never route such a request: a V2 signature
 *   does not cover them (pop-core and openapi-core send them unsigned beside the parameters).
 */
export function actionAndVersion(
  v3: boolean,
  params: Readonly<Record<string, string>>,
  headers: WireRequest['headers'],
): { action: string | undefined; version: string | undefined } {
  if (v3) {
    return { action: headerValue(headers, 'x-acs-action'), version: headerValue(headers, 'x-acs-version') };
  }
  return { action: params.Action, version: params.Version };
}

/**
 * Parses the request; never throws (checkProtocol refuses what the protocol cannot serve).
 * Reads at most MAX_REQUEST_PARAMETERS + 1 pairs, the one more telling that there are too many.
 */
export function parseProtocol(req: WireRequest, requestId: string, receivedAt: Date): ProtocolRequest {
  const budget = MAX_REQUEST_PARAMETERS + 1;
  const query = parseFormEncoded(req.rawQuery, budget);
  const form =
    isFormBody(req) && req.body.length > 0 && query.length < budget
      ? parseFormEncoded(req.body.toString('utf8'), budget - query.length)
      : [];
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
    ...actionAndVersion(v3, params, req.headers),
    format: chooseFormat(params.Format, v3, headerValue(req.headers, 'accept')),
    v3,
    tooManyParameters: query.length + form.length > MAX_REQUEST_PARAMETERS,
  };
}

/**
 * Refuses, in this order, more than MAX_REQUEST_PARAMETERS parameters, a method other than
 * GET/POST, and a Format other than JSON/XML.
 */
export function checkProtocol(p: ProtocolRequest): void {
  if (p.tooManyParameters) {
    throw apiError(
      'InvalidParameter',
      `The request carries more than ${MAX_REQUEST_PARAMETERS} parameters (query and form body together).`,
    );
  }
  if (p.method !== 'GET' && p.method !== 'POST') {
    throw apiError('UnsupportedHTTPMethod', `The HTTP method ${p.method} is not supported for this API.`);
  }
  if (p.params.Format !== undefined && !/^(json|xml)$/i.test(p.params.Format)) {
    throw apiError('InvalidParameter.Format', 'The specified parameter "Format" is not valid.');
  }
}
