/** Strict checks on write: grammar per kind, length limits, and the API error codes (table 1.2). */
import type { Finding, IssueReason, PolicyKind } from './document.js';
import { parsePolicyDocument } from './parse.js';

export type PolicyErrorCode =
  | 'MalformedPolicyDocument'
  | 'InvalidParameter.PolicyDocument.Length'
  | 'InvalidParameter.AssumeRolePolicyDocument.Length'
  | 'InvalidParameter.NewAssumeRolePolicyDocument.Length'
  | 'InvalidParameter.PolicyGrammar'
  | 'InvalidParameter.PolicySize';

export interface PolicyIssue {
  /** API error code for errors; 'PolicyWarning' for lint warnings. */
  readonly code: PolicyErrorCode | 'PolicyWarning';
  readonly severity: 'error' | 'warning';
  /** e.g. Statement[1].Condition.IpAddress["acs:SourceIp"][0]; '' for the whole document. */
  readonly path: string;
  readonly message: string;
  /** Tag of policy-language.md section 10, or a lint rule name for warnings. */
  readonly reason: IssueReason | LintRule;
}

export type LintRule =
  | 'AllowAllActionsOnAllResources'
  | 'AllowWithNotAction'
  | 'AllowWithNotResource'
  | 'UnknownService'
  | 'ConditionKeyNotApplicable'
  | 'DenyNeverMatches';

export type DocumentArrival =
  | 'CreatePolicy'
  | 'CreatePolicyVersion'
  | 'CreateRole'
  | 'UpdateRole'
  | 'AssumeRole'
  | 'CreateControlPolicy'
  | 'UpdateControlPolicy'
  | 'PutBucketPolicy';

/** The first error as the API answers it. */
export interface ApiErrorShape {
  readonly code: PolicyErrorCode;
  readonly httpStatus: 400;
  readonly message: string;
  readonly reason: IssueReason;
  readonly path: string;
}

/** Maximum document length in Unicode code points, per kind (section 8). */
export const MAX_LENGTH: Readonly<Record<PolicyKind, number | undefined>> = {
  permission: 6144,
  session: 2048,
  control: 4096,
  trust: 6144,
  'oss-bucket': undefined,
};

export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function defaultArrival(kind: PolicyKind): DocumentArrival {
  switch (kind) {
    case 'permission':
      return 'CreatePolicy';
    case 'trust':
      return 'CreateRole';
    case 'session':
      return 'AssumeRole';
    case 'control':
      return 'CreateControlPolicy';
    case 'oss-bucket':
      return 'PutBucketPolicy';
  }
}

/** The API error code for a finding of this kind arriving this way. */
export function errorCodeFor(
  kind: PolicyKind,
  reason: IssueReason,
  where?: DocumentArrival,
): PolicyErrorCode {
  const arrival = where ?? defaultArrival(kind);
  const tooLong = reason === 'TooLong';
  if (kind === 'session' || arrival === 'AssumeRole')
    return tooLong ? 'InvalidParameter.PolicySize' : 'InvalidParameter.PolicyGrammar';
  if (!tooLong) return 'MalformedPolicyDocument';
  if (kind === 'permission') return 'InvalidParameter.PolicyDocument.Length';
  if (kind === 'trust')
    return arrival === 'UpdateRole'
      ? 'InvalidParameter.NewAssumeRolePolicyDocument.Length'
      : 'InvalidParameter.AssumeRolePolicyDocument.Length';
  return 'MalformedPolicyDocument';
}

function findings(text: string, kind: PolicyKind): Finding[] {
  const out: Finding[] = [];
  const max = MAX_LENGTH[kind];
  if (max !== undefined) {
    const len = codePointLength(text);
    if (len > max) {
      out.push({
        reason: 'TooLong',
        path: '',
        message: `The document is ${len} characters long; a ${kind} policy may have at most ${max}`,
      });
    }
  }
  out.push(...parsePolicyDocument(text, kind).findings);
  return out;
}

/** Every error of the document for its kind (empty when valid). Errors only; see lintPolicy. */
export function validatePolicy(text: string, kind: PolicyKind, where?: DocumentArrival): PolicyIssue[] {
  return findings(text, kind).map((f) => ({
    code: errorCodeFor(kind, f.reason, where),
    severity: 'error' as const,
    path: f.path,
    message: f.message,
    reason: f.reason,
  }));
}

/** The first error, shaped for the API answer; undefined when the document is valid. */
export function policyError(
  text: string,
  kind: PolicyKind,
  where?: DocumentArrival,
): ApiErrorShape | undefined {
  const first = findings(text, kind)[0];
  if (!first) return undefined;
  // The element first, then what is wrong with it: `Statement[1].Effect: ...`.
  const at = first.path === '' || first.message.startsWith(first.path) ? '' : `${first.path}: `;
  return {
    code: errorCodeFor(kind, first.reason, where),
    httpStatus: 400,
    message: `${at}${first.message}`,
    reason: first.reason,
    path: first.path,
  };
}
