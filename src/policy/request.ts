/**
 * What the engine is asked: a request and the policies that apply to it. The shapes follow
 * the decision-table format (reference evaluation cases), so a table row is a valid input.
 */

export type ContextValueType = 'String' | 'Numeric' | 'Date' | 'Bool' | 'IP';

export interface ContextValue {
  readonly type: ContextValueType;
  /** One value, or several for a multi-valued key. Dates are ISO 8601 text. */
  readonly values: readonly (string | number | boolean)[];
}

/** Condition key (any case) -> typed values. A key that is not listed is absent. */
export type RequestContext = Readonly<Record<string, ContextValue>>;

/**
 * `Anonymous`: an unsigned request (the OSS data plane). It has no identity policies and
 * belongs to no account, so only a resource policy whose Principal is "*" can allow it.
 */
export type RequestPrincipalType = 'RAMUser' | 'AssumedRole' | 'Root' | 'Service' | 'Federated' | 'Anonymous';

export interface RequestPrincipal {
  readonly type: RequestPrincipalType;
  readonly accountId: string;
  /** acs:ram::<uid>:user/<name>, acs:ram::<uid>:root, or the session ARN of a role session. */
  readonly arn?: string;
  readonly name?: string;
  readonly userId?: string;
  /** For role sessions: acs:ram::<uid>:role/<name>. */
  readonly roleArn?: string;
  /** For Service principals: e.g. ecs.aliyuncs.com. */
  readonly service?: string;
  /** For Federated principals: the IdP ARN. */
  readonly provider?: string;
  /** Principals of the management account are exempt from control policies. */
  readonly inManagementAccount?: boolean;
  /**
   * For role sessions: whether the role is a service-linked role, which control policies do not
   * bind. Unset, the role's name decides (`AliyunServiceRoleFor...`), as in the policy language;
   * a server sets it from the role it stores, since a name is chosen by whoever creates the role.
   */
  readonly serviceLinked?: boolean;
}

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** e.g. ram:CreateUser */
  readonly action: string;
  /** The concrete ARN of the target, e.g. acs:ram:*:1234567890123456:user/alice */
  readonly resource: string;
  /** Account that owns the target; defaults to principal.accountId. */
  readonly resourceOwnerAccountId?: string;
  readonly context: RequestContext;
}

/** A policy document as JSON text or as already-parsed JSON. */
export type PolicyDocumentSource = string | object;

export interface PolicyInput {
  readonly name: string;
  /** System or Custom; informs explanations. */
  readonly type?: 'System' | 'Custom';
  /** The version the document is, e.g. v3. */
  readonly version?: string;
  /** user | group:<name> | role:<name>; informs explanations. */
  readonly attachedTo?: string;
  readonly document: PolicyDocumentSource;
}

export interface ControlLevelInput {
  /** member | folder:<id> | root */
  readonly node: string;
  readonly policies: readonly PolicyInput[];
}

export interface ResourcePolicyInput {
  readonly kind: 'oss-bucket-policy' | 'trust-policy';
  readonly name?: string;
  readonly ownerAccountId: string;
  readonly document: PolicyDocumentSource;
}

export interface PolicySetInput {
  readonly identity: readonly PolicyInput[];
  readonly session?: { readonly name?: string; readonly document: PolicyDocumentSource };
  /** One level per entry, from the member up to Root. */
  readonly control?: readonly ControlLevelInput[];
  readonly resource?: ResourcePolicyInput;
}
