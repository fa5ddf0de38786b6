/** The parsed form of a policy document (readonly), shared by validation and both engines. */
import type { ParsedOperator } from './conditions/operators.js';
import type { Scalar } from './conditions/string.js';

/** permission, trust, session and control are RAM's kinds; oss-bucket is an OSS bucket policy. */
export type PolicyKind = 'permission' | 'trust' | 'session' | 'control' | 'oss-bucket';

export const POLICY_KINDS: readonly PolicyKind[] = [
  'permission',
  'trust',
  'session',
  'control',
  'oss-bucket',
];

/** Reason tags of policy-language.md section 10 (plus lint tags for warnings). */
export type IssueReason =
  | 'InvalidJson'
  | 'NotAnObject'
  | 'MissingVersion'
  | 'InvalidVersion'
  | 'MissingStatement'
  | 'EmptyStatement'
  | 'InvalidStatement'
  | 'UnknownElement'
  | 'MissingEffect'
  | 'InvalidEffect'
  | 'ActionAndNotAction'
  | 'MissingAction'
  | 'EmptyAction'
  | 'InvalidAction'
  | 'MissingResource'
  | 'ResourceAndNotResource'
  | 'InvalidResource'
  | 'ResourceNotAllowed'
  | 'PrincipalNotAllowed'
  | 'MissingPrincipal'
  | 'InvalidPrincipal'
  | 'InvalidCondition'
  | 'UnsupportedOperator'
  | 'EmptyConditionValues'
  | 'InvalidConditionValue'
  | 'InvalidTrustAction'
  | 'DuplicateKey'
  | 'TooLong';

/** A problem found while reading a document, before an error code is attached. */
export interface Finding {
  readonly reason: IssueReason;
  readonly path: string;
  readonly message: string;
}

export interface PatternList {
  /** NotAction / NotResource. */
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export type PrincipalType = 'RAM' | 'Service' | 'Federated';

export type PrincipalSpec =
  /** Trust policy form: { "RAM": [...], "Service": [...], "Federated": [...] }. */
  | {
      readonly form: 'typed';
      readonly entries: readonly { readonly type: PrincipalType; readonly values: readonly string[] }[];
    }
  /** OSS bucket policy form: account IDs, RAM user IDs, ARNs or "*". */
  | { readonly form: 'list'; readonly values: readonly string[] };

export interface ConditionClause {
  /** Operator as written, e.g. ForAllValues:StringEquals. */
  readonly operator: string;
  /** Undefined when the operator is unknown (the clause then never holds). */
  readonly parsed: ParsedOperator | undefined;
  /** Key as written and its canonical form (conditions/keys.ts). */
  readonly key: string;
  readonly canonicalKey: string;
  readonly values: readonly Scalar[];
  readonly path: string;
  /** Set when the clause cannot be evaluated (unknown operator, bad value): it never holds. */
  readonly problem?: string;
}

export interface Statement {
  /** 0-based index; a single statement object is 0. */
  readonly index: number;
  readonly path: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Undefined when the statement has no usable Action (it then never matches). */
  readonly action: PatternList | undefined;
  /** Undefined when absent (trust policies): matches the target. */
  readonly resource: PatternList | undefined;
  readonly principal: PrincipalSpec | undefined;
  readonly conditions: readonly ConditionClause[];
  /** Set when the statement can never match (read leniently from a broken document). */
  readonly broken?: string;
}

export interface PolicyDocument {
  readonly statements: readonly Statement[];
}
