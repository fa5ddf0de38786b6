import { checkProtocol, parseProtocol } from '../protocol/request.js';
import type { Step } from './state.js';

/** Parameters from the query and form body; Action, Version, response format. */
export const protocolStep: Step = (state) => {
  state.protocol = parseProtocol(state.wire, state.requestId, state.receivedAt);
  checkProtocol(state.protocol);
};
