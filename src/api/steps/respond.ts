import { headerValue } from '../../auth/headers.js';
import { isV3Authorization } from '../../auth/signature-v3.js';
import { errorResponse, successResponse } from '../protocol/response.js';
import type { WireResponse } from '../protocol/wire.js';
import { chooseFormat } from '../protocol/request.js';
import { serviceForVersion } from '../registry.js';
import { need, type RequestState } from './state.js';

/** The success answer: the action's result plus RequestId, in the negotiated format. */
export function respondSuccess(state: RequestState): WireResponse {
  const p = need(state.protocol, 'protocol');
  return successResponse(
    state.requestId,
    p.format,
    need(state.definition, 'definition').name,
    need(state.result, 'result'),
  );
}

/** The error envelope, in the negotiated format (worked out from the raw request if parsing failed). */
export function respondError(state: RequestState, err: unknown): WireResponse {
  const p = state.protocol;
  const h = state.wire.headers;
  const format =
    p?.format ??
    chooseFormat(undefined, isV3Authorization(headerValue(h, 'authorization')), headerValue(h, 'accept'));
  const service = state.definition?.service ?? serviceForVersion(p?.version);
  return errorResponse(err, { requestId: state.requestId, format, service });
}
