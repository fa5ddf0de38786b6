import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Sealer } from '../crypto/seal.js';
import { apiError } from '../errors.js';

/**
 * The explanation of a refusal, sealed into the EncodedDiagnosticMessage of a NoPermission
 * answer and revealed by DecodeDiagnosticMessage to callers of the same account.
 */
export interface DiagnosticPolicy {
  readonly PolicyName: string;
  /** System | Custom, or the layer (SessionPolicy, ControlPolicy) for unnamed documents. */
  readonly PolicyType: string;
  readonly PolicyVersion: string;
  /** Where the policy is attached: user, group:<name>, role:<name>, session, control:<node>. */
  readonly AttachedTo: string;
  /** 0-based index of the statement within the policy; HIDDEN_STATEMENT when it is not shown. */
  readonly StatementIndex: number;
  readonly StatementSid: string;
  /** Allow or Deny as the statement says. */
  readonly Effect: string;
  /** Whether the statement matched the request (false for the nearest miss). */
  readonly Matched: boolean;
  /** Why it did or did not apply. */
  readonly Explanation: string;
}

/** The StatementIndex of a statement that is not shown: a control policy's (authorize.ts). */
export const HIDDEN_STATEMENT = -1;

export interface DiagnosticCondition {
  readonly ConditionKey: string;
  readonly ConditionValues: readonly string[];
}

/** The DecodedDiagnosticMessage object of the DecodeDiagnosticMessage response. */
export interface DecodedDiagnosticMessage {
  readonly ExplicitDeny: boolean;
  readonly NoPermissionPolicyType: string;
  readonly AuthAction: string;
  readonly AuthResource: string;
  readonly AuthPrincipal: {
    readonly AuthPrincipalType: string;
    readonly AuthPrincipalOwnerId: string;
    readonly AuthPrincipalDisplayName: string;
  };
  readonly AuthConditions: readonly DiagnosticCondition[];
  readonly MatchedPolicies: readonly DiagnosticPolicy[];
  /** The engine's one-paragraph explanation of the decision. */
  readonly Explanation: string;
}

export interface DiagnosticPayload {
  /** The account the refused principal belongs to; only that account may decode it. */
  readonly accountId: string;
  readonly message: DecodedDiagnosticMessage;
}

const CONTEXT = 'rampart:diagnostic:v1';

/** Compresses and seals the payload; the result is base64 text. */
export function encodeDiagnostic(sealer: Sealer, payload: DiagnosticPayload): string {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'));
  return Buffer.from(sealer.seal(packed, CONTEXT), 'utf8').toString('base64');
}

function invalid(): Error {
  return apiError('InvalidParameter', 'The parameter "EncodedDiagnosticMessage" is invalid.');
}

/**
 * Opens a message sealed by encodeDiagnostic. Throws ApiError InvalidParameter for text that
 * was not sealed by this deployment (or was altered). The caller checks `accountId`.
 */
export function decodeDiagnostic(sealer: Sealer, encoded: string): DiagnosticPayload {
  const text = encoded.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw invalid();
  let parsed: unknown;
  try {
    const packed = sealer.unseal(Buffer.from(text, 'base64').toString('utf8'), CONTEXT);
    // Authenticated before it is inflated; the size bound guards against a deflate bomb anyway.
    parsed = JSON.parse(inflateRawSync(packed, { maxOutputLength: 1 << 20 }).toString('utf8'));
  } catch {
    throw invalid();
  }
  const p = parsed as DiagnosticPayload;
  if (!p || typeof p.accountId !== 'string' || typeof p.message !== 'object' || p.message === null) {
    throw invalid();
  }
  return p;
}
