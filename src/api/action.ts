import type { RamResourceType } from '../arn.js';
import type { Principal } from '../auth/principal.js';
import type { RequestContext, ResourcePolicyInput } from '../policy/request.js';
import type { Services } from '../domain/request-services.js';

/** Services whose wire protocol Rampart speaks, with the API version each answers to. */
export type ServiceName = 'ram' | 'ims' | 'sts' | 'resourcemanager' | 'actiontrail' | 'rampart';

/**
 * Parses the raw wire parameters of one action (all values are strings as they arrived,
 * from the query or a form body) into typed parameters. Throws ApiError with the
 * service's own code (MissingParameter.*, InvalidParameter.*) on bad input.
 */
export interface ParamSchema<P> {
  parse(raw: Readonly<Record<string, string>>): P;
  /** The wire parameters it reads, in order (what the CLI checks a call against). */
  readonly fields?: readonly { readonly name: string; readonly required: boolean }[];
}

/** One request as a handler sees it: authenticated, validated, authorized. */
export interface ActionRequest<P> {
  readonly requestId: string;
  /** The caller's account. Every row a handler touches is scoped by it. */
  readonly accountId: string;
  readonly principal: Principal;
  readonly params: P;
  /** The request context the engine saw (acs:SourceIp, acs:CurrentTime, ...). */
  readonly context: RequestContext;
  /**
   * The self-service kinds only the security preference allowed for this request (no policy
   * did): the handler then limits the caller to its own credentials.
   */
  readonly allowedBySelfService?: readonly SelfService[];
  /**
   * An unsigned federated sign-in (AssumeRoleWithSAML / WithOIDC) names who it is once the
   * provider is known: its audit event is then recorded in that account, with that identity.
   */
  readonly identifyFederatedCaller?: (caller: FederatedCaller) => void;
}

/** The identity of a federated caller, as its audit event names it. */
export interface FederatedCaller {
  readonly accountId: string;
  readonly type: 'saml-user' | 'oidc-user';
  /** The NameID or the token's subject, once verified. */
  readonly userName?: string;
}

/**
 * An entity named by the caller (a user, group, role, policy or MFA device). The authorize
 * step resolves it against the store and authorizes the ARN of the stored entity; a name
 * that does not exist yet is used as given.
 */
export interface EntityRef {
  readonly kind: 'entity';
  readonly accountId: string;
  readonly type: RamResourceType;
  /** As the caller spelled it. */
  readonly name: string;
  /** A System policy (named by the catalogue, not the account). */
  readonly system?: boolean;
  /**
   * A user named by its id or by one of its AccessKey ids (IMS) instead of its name: `name`
   * holds that id. Resolved to the stored user's name; when none matches, the id is used as given.
   */
  readonly by?: 'userId' | 'accessKeyId';
}

/** What an action is authorized against. */
export interface AuthorizationTarget {
  /** e.g. ram:CreateUser */
  readonly action: string;
  /** A plain ARN (collections, account settings), or an entity the authorize step resolves. */
  readonly resource: string | EntityRef;
  /** Extra condition keys for this action (ram:TrustedPrincipalTypes, tags, ...). */
  readonly context?: RequestContext;
  /**
   * Set when a RAM user acts on its own credentials: the account's security preference
   * (AllowUserToManageAccessKeys, AllowUserToManageMFADevices, AllowUserToChangePassword)
   * then allows the request that no policy allows. An explicit Deny still refuses it.
   */
  readonly selfService?: SelfService;
  /**
   * The resource is a role whose trust policy joins the decision as its resource policy
   * (sts:AssumeRole: the caller's own policies AND the trust policy must allow). The role is
   * resolved and its identity ARN built from the stored name; a role that does not exist has
   * no trust policy, so nothing trusts the caller.
   */
  readonly trustPolicy?: boolean;
}

/** A target whose resource is an ARN, entity references resolved: what the engine decides on. */
export type ResolvedTarget = Omit<AuthorizationTarget, 'resource'> & {
  readonly resource: string;
  /** The account that owns the resource, when it is not the caller's. */
  readonly resourceOwnerAccountId?: string;
  /** The trust policy of the role (targets with `trustPolicy`), when the role exists. */
  readonly resourcePolicy?: ResourcePolicyInput;
  /**
   * The same resource spelled another way: a role's ARN in its stored case beside the lower-case
   * one. A Deny matching either spelling refuses; an Allow matching either grants.
   */
  readonly alsoAs?: string;
};

/** The self-service kinds the security preference governs. */
export type SelfService = 'AccessKeys' | 'MFADevices' | 'Password';

export interface ActionDefinition<P = unknown, R extends object = object> {
  readonly service: ServiceName;
  /** Wire name, e.g. CreateUser. */
  readonly name: string;
  readonly params: ParamSchema<P>;
  /** Unsigned calls allowed (AssumeRoleWithSAML / WithOIDC). Default false. */
  readonly anonymous?: boolean;
  /**
   * The targets to authorize before the handler runs; every one must be allowed. Undefined
   * for actions that any authenticated caller may call (GetCallerIdentity).
   */
  readonly authorize?: (
    req: Omit<ActionRequest<P>, 'context'>,
  ) => AuthorizationTarget | readonly AuthorizationTarget[];
  /** Does the work; returns the response body without RequestId (the protocol adds it). */
  readonly handle: (req: ActionRequest<P>, services: Services) => Promise<R> | R;
}

export function defineAction<P, R extends object>(def: ActionDefinition<P, R>): ActionDefinition<P, R> {
  return def;
}
