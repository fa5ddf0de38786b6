/**
 * Rampart's RAM policy engine: parse, validate, lint, compile and evaluate policy documents.
 * Pure (no I/O); this file is the only entry point (import from 'rampart/policy').
 */
import { CompiledPolicySet, compilePolicySet, evaluateCompiled } from './compile.js';
import type { Decision } from './decision.js';
import type { AuthorizationRequest, PolicySetInput } from './request.js';

export type {
  AuthorizationRequest,
  ContextValue,
  ContextValueType,
  ControlLevelInput,
  PolicyDocumentSource,
  PolicyInput,
  PolicySetInput,
  RequestContext,
  RequestPrincipal,
  RequestPrincipalType,
  ResourcePolicyInput,
} from './request.js';
export type { Decision, DecisionEffect, Miss, PolicyLayer, StatementRef } from './decision.js';
export type { IssueReason, PolicyDocument, PolicyKind, Statement } from './document.js';
export { POLICY_KINDS } from './document.js';
export {
  MAX_LENGTH,
  codePointLength,
  errorCodeFor,
  policyError,
  validatePolicy,
  type ApiErrorShape,
  type DocumentArrival,
  type LintRule,
  type PolicyErrorCode,
  type PolicyIssue,
} from './validate.js';
export { lintPolicy, KNOWN_SERVICES } from './lint.js';
export { parsePolicyDocument } from './parse.js';
export { interpret } from './interpret.js';
export { CompiledPolicySet, compilePolicySet } from './compile.js';
export { explainDecision, describeStatement } from './explain.js';
export { systemPolicies, findSystemPolicy, type SystemPolicy } from './system-policies.js';
export { OPERATOR_NAMES } from './conditions/operators.js';
export { canonicalKey } from './conditions/keys.js';

/** Decides a request: with a CompiledPolicySet (fast), or a PolicySetInput compiled on the fly. */
export function evaluate(set: PolicySetInput | CompiledPolicySet, request: AuthorizationRequest): Decision {
  return evaluateCompiled(set instanceof CompiledPolicySet ? set : compilePolicySet(set), request);
}
