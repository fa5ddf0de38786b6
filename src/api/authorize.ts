import { principalArn, type Principal } from '../auth/principal.js';
import type { Sealer } from '../crypto/seal.js';
import type { Decision, PolicyLayer, StatementRef } from '../policy/decision.js';
import { compilePolicySet, describeStatement, evaluate, explainDecision } from '../policy/index.js';
import type { PolicySetInput, RequestContext, RequestPrincipal } from '../policy/request.js';
import { arnAccount, roleArn } from '../arn.js';
import type { ResolvedTarget, SelfService } from './action.js';
import {
  encodeDiagnostic,
  HIDDEN_STATEMENT,
  type DecodedDiagnosticMessage,
  type DiagnosticPolicy,
} from './diagnostic.js';
import { ApiError, apiError, type AccessDeniedDetail } from '../errors.js';
import type { PolicyResolver } from '../domain/request-services.js';

/**
 * Authorization of one request against its targets. Each principal's identity policies are
 * compiled once and cached; the cache entry is keyed on the account's permissions version,
 * read once per request, so an attach/detach/new default version is enforced on the very
 * next request, on every node (the version lives in the store).
 */
type Compiled = ReturnType<typeof compilePolicySet>;

interface CacheEntry {
  readonly version: number;
  readonly input: PolicySetInput;
  readonly compiled: Compiled;
  /** The principal's account is the management account of a Resource Directory. */
  readonly inManagementAccount: boolean;
}

export interface Authorizer {
  /**
   * Throws ApiError NoPermission (with AccessDeniedDetail) when a target is refused.
   * Resolves to the self-service kinds of the targets that only the security preference
   * allowed (no policy did), so that handlers can hold such callers to their own credentials.
   */
  authorize(
    principal: Principal,
    targets: readonly ResolvedTarget[],
    context: RequestContext,
    /** The account's permissions version when the request already read it (with its AccessKey). */
    permissionsVersion?: number,
  ): Promise<readonly SelfService[]>;
  /**
   * The decision on one target, through the same caches, without throwing when it is refused.
   * On a resource of another account, the report keeps that account's resource policy to itself
   * (see `foreignView`) and names the resource as `named`, the caller's spelling (default:
   * `target.resource`); its `resource` is the name to show.
   */
  decide(
    principal: Principal,
    target: ResolvedTarget,
    context: RequestContext,
    permissionsVersion?: number,
    named?: string,
  ): Promise<DecisionReport>;
}

/** One decision with its explanation, refused or not (the authorization point answers it). */
export interface DecisionReport {
  readonly decision: Decision['decision'];
  readonly explanation: string;
  /** The same detail as an AccessDenied answer (with its EncodedDiagnosticMessage), when refused. */
  readonly detail?: AccessDeniedDetail;
  /** The resource as the principal may see it: as it named it when another account's. */
  readonly resource: string;
}

export interface AuthorizerOptions {
  /** Principals kept compiled; least recently used ones are dropped first. */
  readonly cacheSize?: number;
  /**
   * Whether the account's security preference lets RAM users manage this kind of their own
   * credentials. A target marked `selfService` that no policy allows (ImplicitDeny) is then
   * allowed; an explicit Deny still refuses it. Without this option nothing is self-service.
   */
  readonly selfServiceAllowed?: (accountId: string, kind: SelfService) => Promise<boolean>;
  /** Told of each lookup of a compiled policy set: found current in the cache, or not (metrics). */
  readonly onCacheLookup?: (hit: boolean) => void;
}

const LAYER_POLICY_TYPE: Readonly<Record<PolicyLayer, string>> = {
  identity: 'AccountLevelIdentityBasedPolicy',
  session: 'SessionPolicy',
  control: 'ControlPolicy',
  trust: 'AssumeRolePolicy',
  resource: 'ResourcePolicy',
};

function cacheKey(p: Principal): string {
  switch (p.type) {
    case 'Anonymous':
      return 'anonymous';
    case 'Root':
      return `root:${p.accountId}`;
    case 'RAMUser':
      return `user:${p.accountId}:${p.userId}`;
    case 'AssumedRole':
      // A session policy belongs to one set of temporary credentials.
      return `role:${p.accountId}:${p.roleId}:${p.sessionPolicy ? p.accessKeyId : ''}`;
  }
}

export function requestPrincipal(p: Principal): RequestPrincipal {
  switch (p.type) {
    case 'Anonymous':
      // No identity policies and no account: only a resource policy naming "*" can allow it.
      return { type: 'Anonymous', accountId: '' };
    case 'Root':
      return { type: 'Root', accountId: p.accountId, arn: principalArn(p) };
    case 'RAMUser':
      return {
        type: 'RAMUser',
        accountId: p.accountId,
        arn: principalArn(p),
        name: p.userName,
        userId: p.userId,
      };
    case 'AssumedRole':
      return {
        type: 'AssumedRole',
        accountId: p.accountId,
        arn: principalArn(p),
        name: p.sessionName,
        roleArn: roleArn(p.accountId, p.roleName),
        // Rampart creates no service-linked roles: a role named like one (AliyunServiceRoleFor...)
        // was named so by its account, and control policies bind its sessions like any other's.
        serviceLinked: false,
      };
  }
}

function principalDisplay(p: Principal): { type: string; name: string } {
  switch (p.type) {
    case 'Anonymous':
      return { type: 'Anonymous', name: '' };
    case 'Root':
      return { type: 'Root', name: p.accountId };
    case 'RAMUser':
      return { type: 'SubUser', name: p.userId };
    case 'AssumedRole':
      return { type: 'AssumedRoleUser', name: `${p.roleName}:${p.sessionName}` };
  }
}

function refLayerType(ref: StatementRef): string {
  return LAYER_POLICY_TYPE[ref.layer];
}

function policyEntry(
  ref: StatementRef,
  input: PolicySetInput,
  effect: string,
  matched: boolean,
  explanation: string,
): DiagnosticPolicy {
  const identity = ref.layer === 'identity' ? input.identity[ref.policy] : undefined;
  const attachedTo =
    ref.layer === 'identity'
      ? (identity?.attachedTo ?? 'identity')
      : ref.layer === 'control'
        ? `control:${input.control?.[ref.level ?? 0]?.node ?? ''}`
        : ref.layer;
  return {
    PolicyName: ref.policyName ?? identity?.name ?? (ref.layer === 'session' ? 'SessionPolicy' : ''),
    PolicyType: ref.policyType ?? identity?.type ?? refLayerType(ref),
    PolicyVersion: ref.policyVersion ?? identity?.version ?? '',
    AttachedTo: attachedTo,
    StatementIndex: ref.statement,
    StatementSid: ref.sid ?? '',
    Effect: effect,
    Matched: matched,
    Explanation: explanation,
  };
}

function conditionsOf(context: RequestContext): DecodedDiagnosticMessage['AuthConditions'] {
  return Object.entries(context).map(([key, v]) => ({
    ConditionKey: key,
    ConditionValues: v.values.map((x) => String(x)),
  }));
}

/**
 * A refusal's decision as the caller may see it. A resource-based policy (a role's trust policy,
 * a bucket policy) is its owner's: the caller may not read it, and a description of its nearest
 * statement would show its conditions (an ExternalId) and that the role exists. Without it, a
 * role that does not trust the caller is refused in the very words of a role that does not exist.
 */
function withoutResourcePolicyMiss(decision: Decision): Decision {
  const layer = decision.nearestMiss?.statement.layer;
  if (layer !== 'trust' && layer !== 'resource') return decision;
  return {
    decision: decision.decision,
    decidedBy: decision.decidedBy,
    ...(decision.missingAllowIn ? { missingAllowIn: decision.missingAllowIn } : {}),
  };
}

const CONTROL_NOT_SHOWN =
  'Control policies are set by the management account of the resource directory: their statements are not shown.';

/**
 * A decision as a member's principal may see it, when control policies took part. A control
 * policy belongs to the management account of the resource directory and binds only the
 * principals of its members (the management account is exempt), so whoever a control layer
 * refuses is of another account than the policy's: like another account's resource policy
 * (foreignView), it is named (policy and node) but its statements, Sids and conditions are
 * not shown; a nearest miss would quote the condition that failed (an allow-list's IP range,
 * the role names a guardrail exempts). Other layers are shown as usual.
 */
function withoutControlStatements(decision: Decision): Decision {
  const hide = (ref: StatementRef): StatementRef =>
    ref.layer !== 'control'
      ? ref
      : {
          layer: ref.layer,
          policy: ref.policy,
          ...(ref.level !== undefined ? { level: ref.level } : {}),
          statement: HIDDEN_STATEMENT,
          ...(ref.policyName !== undefined ? { policyName: ref.policyName } : {}),
          ...(ref.policyType !== undefined ? { policyType: ref.policyType } : {}),
        };
  const miss = decision.nearestMiss;
  return {
    decision: decision.decision,
    decidedBy: decision.decidedBy.map(hide),
    ...(decision.missingAllowIn ? { missingAllowIn: decision.missingAllowIn } : {}),
    ...(miss
      ? {
          nearestMiss:
            miss.statement.layer === 'control'
              ? { ...miss, statement: hide(miss.statement), detail: CONTROL_NOT_SHOWN }
              : miss,
        }
      : {}),
  };
}

/** The node a control level is attached to, in words (levels: member, folder:<id>, root). */
function nodeWords(input: PolicySetInput, level: number | undefined): string {
  const node = input.control?.[level ?? 0]?.node ?? '';
  if (node === 'member') return 'the member account';
  if (node === 'root') return 'the Root folder';
  return node.startsWith('folder:') ? `folder ${node.slice('folder:'.length)}` : node;
}

/** A statement as shown: a control policy by its name and node only. */
function describeShown(ref: StatementRef, input: PolicySetInput): string {
  if (ref.layer !== 'control') return describeStatement(ref);
  const name = ref.policyName !== undefined ? JSON.stringify(ref.policyName) : `#${ref.policy}`;
  const type = ref.policyType ? ` (${ref.policyType})` : '';
  return `control policy ${name}${type} attached to ${nodeWords(input, ref.level)}`;
}

/** explainDecision of a decision as shown (withoutControlStatements): a control policy by name and node. */
function explainShown(decision: Decision, input: PolicySetInput): string {
  const byControl =
    decision.missingAllowIn === 'control' || decision.decidedBy.some((ref) => ref.layer === 'control');
  if (!byControl) return explainDecision(decision);
  if (decision.decision === 'ExplicitDeny') {
    const refs = decision.decidedBy.map((ref) => describeShown(ref, input)).join(' and ');
    return `Explicitly denied by ${refs}. A matching Deny overrides every Allow, in any policy. ${CONTROL_NOT_SHOWN}`;
  }
  const miss = decision.nearestMiss;
  const where = miss
    ? `no control policy attached to ${nodeWords(input, miss.statement.level)} allowed it (the nearest was ${describeShown(miss.statement, input)})`
    : 'one level did not allow it';
  return (
    'Implicitly denied: every level of the resource directory from the member up to Root must allow ' +
    `the request (control policies never grant), and ${where}; access is denied by default. ${CONTROL_NOT_SHOWN}`
  );
}

/** What the principal may see of a decision: the decision, its paragraph, the resource's name. */
interface Shown {
  readonly decision: Decision;
  readonly explanation: string;
  readonly resource: string;
}

const RESOURCE_BASED: ReadonlySet<PolicyLayer> = new Set(['resource', 'trust']);

/** The account whose policy is the target's resource policy, when it is not the principal's. */
function foreignOwner(principal: Principal, target: ResolvedTarget): string | undefined {
  const owner = target.resourcePolicy?.ownerAccountId ?? target.resourceOwnerAccountId;
  return owner !== undefined && owner !== '' && owner !== '*' && owner !== principal.accountId
    ? owner
    : undefined;
}

/**
 * A decision on another account's resource as the principal may see it: the decision itself
 * counts the owner's policy, but no statement, Sid, condition or name of it is shown (it is the
 * owner's to read, and varying the context would read it), whether the resource has one or
 * not; the principal's own statements are described as usual (control policies by name and
 * node only: withoutControlStatements). The resource is named as the principal named it
 * (`named`), never with the owner's account id that the store filled in.
 */
function foreignView(decided: Decision, target: ResolvedTarget, named: string, input: PolicySetInput): Shown {
  const decision = withoutControlStatements(decided);
  const visible = decision.decidedBy.filter((ref) => !RESOURCE_BASED.has(ref.layer));
  const hidden = decision.decidedBy.length > visible.length;
  const miss =
    decision.nearestMiss && !RESOURCE_BASED.has(decision.nearestMiss.statement.layer)
      ? decision.nearestMiss
      : undefined;
  const shown: Decision = {
    decision: decision.decision,
    decidedBy: visible,
    ...(decision.missingAllowIn ? { missingAllowIn: decision.missingAllowIn } : {}),
    ...(miss ? { nearestMiss: miss } : {}),
  };
  const owners = "the resource owner's policy (another account's: its statements are not shown)";
  const refs = [...visible.map((ref) => describeShown(ref, input)), ...(hidden ? [owners] : [])].join(
    ' and ',
  );
  let explanation: string;
  if (decision.decision === 'Allow')
    explanation = `Allowed by ${refs}. No Deny statement matched and every layer that must allow did.`;
  else if (decision.decision === 'ExplicitDeny')
    explanation =
      `Explicitly denied by ${refs}. A matching Deny overrides every Allow, in any policy.` +
      (visible.some((ref) => ref.layer === 'control') ? ` ${CONTROL_NOT_SHOWN}` : '');
  else if (RESOURCE_BASED.has(decision.missingAllowIn ?? 'identity'))
    explanation =
      "Implicitly denied: the resource belongs to another account, for which only its owner's " +
      'policy can grant, and nothing of it allowed the request (its statements are not shown); ' +
      'access is denied by default.';
  else explanation = explainShown(shown, input);
  // A nearest miss of the principal's own policies may quote the resource as decided.
  const rename = (text: string) => text.split(target.resource).join(named);
  return {
    decision: miss ? { ...shown, nearestMiss: { ...miss, detail: rename(miss.detail) } } : shown,
    explanation: rename(explanation),
    resource: named,
  };
}

/** The view of a decision for its principal: foreignView on another account's resource, else none. */
function viewFor(
  principal: Principal,
  decision: Decision,
  decided: ResolvedTarget,
  named: string,
  input: PolicySetInput,
) {
  return foreignOwner(principal, decided) ? foreignView(decision, decided, named, input) : undefined;
}

type CompiledSet = ReturnType<typeof compilePolicySet>;
type EnginePrincipal = Parameters<typeof evaluate>[1]['principal'];

/**
 * The engine's decision on a target and the target as decided. With `alsoAs`, both spellings of
 * its resource are decided: an explicit Deny of either refuses, an Allow of either grants.
 */
function decideTarget(
  compiled: CompiledSet,
  principal: EnginePrincipal,
  target: ResolvedTarget,
  context: RequestContext,
): { decision: Decision; target: ResolvedTarget } {
  const on = (resource: string) =>
    evaluate(compiled, {
      principal,
      action: target.action,
      resource,
      ...(target.resourceOwnerAccountId ? { resourceOwnerAccountId: target.resourceOwnerAccountId } : {}),
      context,
    });
  const first = on(target.resource);
  if (target.alsoAs === undefined || first.decision === 'ExplicitDeny') return { decision: first, target };
  const other = on(target.alsoAs);
  if (other.decision === 'ExplicitDeny' || (other.decision === 'Allow' && first.decision !== 'Allow'))
    return { decision: other, target: { ...target, resource: target.alsoAs } };
  return { decision: first, target };
}

export function createAuthorizer(
  policies: PolicyResolver,
  sealer: Sealer,
  options: AuthorizerOptions = {},
): Authorizer {
  const maxEntries = options.cacheSize ?? 10_000;
  const cache = new Map<string, CacheEntry>();

  const anonymousEntry: CacheEntry = {
    version: 0,
    input: { identity: [] },
    compiled: compilePolicySet({ identity: [] }),
    inManagementAccount: false,
  };

  async function policySet(principal: Principal, known: number | undefined): Promise<CacheEntry> {
    if (principal.type === 'Anonymous') return anonymousEntry;
    const version = known ?? (await policies.permissionsVersion(principal.accountId));
    const key = cacheKey(principal);
    const hit = cache.get(key);
    if (hit && hit.version === version) {
      cache.delete(key);
      cache.set(key, hit);
      options.onCacheLookup?.(true);
      return hit;
    }
    options.onCacheLookup?.(false);
    const identity = await policies.identityPolicies(principal);
    // The Resource Directory path of the principal's own account (a role session acts in the
    // role's account): its control policies bound RAM users and role sessions.
    const path = (await policies.controlPath?.(principal.accountId)) ?? { inManagementAccount: false };
    const control = path.levels && path.levels.length > 0 ? { control: path.levels } : {};
    const input: PolicySetInput =
      principal.type === 'AssumedRole' && principal.sessionPolicy !== undefined
        ? { identity, session: { document: principal.sessionPolicy }, ...control }
        : { identity, ...control };
    const entry = {
      version,
      input,
      compiled: compilePolicySet(input),
      inManagementAccount: path.inManagementAccount,
    };
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return entry;
  }

  function refuse(
    principal: Principal,
    target: ResolvedTarget,
    context: RequestContext,
    input: PolicySetInput,
    decided: Decision,
    view?: Shown,
  ): Error {
    const explicit = decided.decision === 'ExplicitDeny';
    const layer: PolicyLayer = explicit
      ? (decided.decidedBy[0]?.layer ?? 'identity')
      : (decided.missingAllowIn ?? 'identity');
    const decision = view?.decision ?? withoutControlStatements(withoutResourcePolicyMiss(decided));
    const explanation = view?.explanation ?? explainShown(decision, input);
    const matched: DiagnosticPolicy[] = explicit
      ? decision.decidedBy.map((ref) => policyEntry(ref, input, 'Deny', true, explanation))
      : decision.nearestMiss
        ? [
            policyEntry(
              decision.nearestMiss.statement,
              input,
              decision.nearestMiss.effect,
              false,
              decision.nearestMiss.detail,
            ),
          ]
        : [];
    const who = principalDisplay(principal);
    const message: DecodedDiagnosticMessage = {
      ExplicitDeny: explicit,
      NoPermissionPolicyType: LAYER_POLICY_TYPE[layer],
      AuthAction: target.action,
      AuthResource: view?.resource ?? target.resource,
      AuthPrincipal: {
        AuthPrincipalType: who.type,
        AuthPrincipalOwnerId: principal.accountId,
        AuthPrincipalDisplayName: who.name,
      },
      AuthConditions: conditionsOf(context),
      MatchedPolicies: matched,
      Explanation: explanation,
    };
    const detail: AccessDeniedDetail = {
      AuthAction: target.action,
      AuthPrincipalType: who.type,
      AuthPrincipalDisplayName: who.name,
      AuthPrincipalOwnerId: principal.accountId,
      PolicyType: LAYER_POLICY_TYPE[layer],
      NoPermissionType: explicit ? 'ExplicitDeny' : 'ImplicitDeny',
      EncodedDiagnosticMessage: encodeDiagnostic(sealer, { accountId: principal.accountId, message }),
    };
    return apiError(
      'NoPermission',
      'You are not authorized to do this action. You should be authorized by RAM.',
      detail,
    );
  }

  return {
    async decide(principal, target, context, permissionsVersion, named) {
      const owner = arnAccount(target.resource);
      if (
        principal.type === 'Root' &&
        !target.trustPolicy &&
        !target.resourcePolicy &&
        (owner === undefined || owner === '' || owner === '*' || owner === principal.accountId)
      ) {
        return {
          decision: 'Allow',
          explanation: 'The account root may do anything on its own resources.',
          resource: target.resource,
        };
      }
      const entry = await policySet(principal, permissionsVersion);
      const ctx = target.context ? { ...context, ...target.context } : context;
      const input: PolicySetInput = target.resourcePolicy
        ? { ...entry.input, resource: target.resourcePolicy }
        : entry.input;
      const { decision, target: decided } = decideTarget(
        target.resourcePolicy ? compilePolicySet(input) : entry.compiled,
        entry.inManagementAccount
          ? { ...requestPrincipal(principal), inManagementAccount: true }
          : requestPrincipal(principal),
        target,
        ctx,
      );
      const view = viewFor(principal, decision, decided, named ?? decided.resource, input);
      const explanation = view?.explanation ?? explainShown(withoutControlStatements(decision), input);
      const resource = view?.resource ?? target.resource;
      if (decision.decision === 'Allow') return { decision: 'Allow', explanation, resource };
      const refused = refuse(principal, decided, ctx, input, decision, view) as ApiError;
      return {
        decision: decision.decision,
        explanation,
        resource,
        ...(refused.detail ? { detail: refused.detail } : {}),
      };
    },
    async authorize(principal, targets, context, permissionsVersion) {
      if (targets.length === 0) return [];
      if (principal.type === 'Root') {
        // Root may do anything on its own account's resources; assuming a role is decided by
        // the role's trust policy, for the root too.
        const foreign = targets.find((t) => {
          // A bucket policy may deny the owner too (Principal "*" with a Condition).
          if (t.trustPolicy || t.resourcePolicy) return true;
          const owner = arnAccount(t.resource);
          return owner !== undefined && owner !== '' && owner !== '*' && owner !== principal.accountId;
        });
        if (!foreign) return [];
      }
      const entry = await policySet(principal, permissionsVersion);
      const bySelfService: SelfService[] = [];
      const engine = entry.inManagementAccount
        ? { ...requestPrincipal(principal), inManagementAccount: true }
        : requestPrincipal(principal);
      for (const target of targets) {
        const ctx = target.context ? { ...context, ...target.context } : context;
        // A resource policy (a role's trust policy) belongs to one target: the set is compiled
        // with it for this decision only.
        const input: PolicySetInput = target.resourcePolicy
          ? { ...entry.input, resource: target.resourcePolicy }
          : entry.input;
        const { decision, target: decided } = decideTarget(
          target.resourcePolicy ? compilePolicySet(input) : entry.compiled,
          engine,
          target,
          ctx,
        );
        if (decision.decision === 'Allow') continue;
        if (
          decision.decision === 'ImplicitDeny' &&
          // What the security preference lifts is a missing Allow of the identity policies;
          // a control policy's bound (or a session policy's) stands.
          (decision.missingAllowIn ?? 'identity') === 'identity' &&
          target.selfService !== undefined &&
          principal.type === 'RAMUser' &&
          (await options.selfServiceAllowed?.(principal.accountId, target.selfService))
        ) {
          bySelfService.push(target.selfService);
          continue;
        }
        // Another account's resource policy (a bucket's, a role's trust policy) counts, but the
        // refusal's diagnostic shows none of its statements, as decide's answer does not.
        throw refuse(
          principal,
          decided,
          ctx,
          input,
          decision,
          viewFor(principal, decision, decided, decided.resource, input),
        );
      }
      return bySelfService;
    },
  };
}
