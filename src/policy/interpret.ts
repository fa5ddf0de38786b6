/**
 * The reference interpreter: policy-language.md section 6 written out step by step, with
 * no indexes and no caches. compile.ts must agree with it on decision and reasons.
 */
import type { Decision, PolicyLayer, StatementRef } from './decision.js';
import { principalHasStar } from './elements/principal-match.js';
import { nearestMiss } from './explain.js';
import { loadSet, statementRef, type LoadedPolicy } from './layers.js';
import { contextMap, statementMatches, type ContextMap } from './match.js';
import type { AuthorizationRequest, PolicySetInput, RequestPrincipal } from './request.js';

interface Hits {
  allows: StatementRef[];
  denies: StatementRef[];
}

function scan(policies: readonly LoadedPolicy[], request: AuthorizationRequest, ctx: ContextMap): Hits {
  const hits: Hits = { allows: [], denies: [] };
  for (const p of policies) {
    const resourceBased = p.layer === 'trust' || p.layer === 'resource';
    for (const s of p.document.statements) {
      if (!statementMatches(s, resourceBased, request, ctx)) continue;
      (s.effect === 'Allow' ? hits.allows : hits.denies).push(statementRef(p, s.index));
    }
  }
  return hits;
}

/** Control policies bind RAM users and role sessions of member accounts (section 6 step 3). */
export function controlApplies(p: RequestPrincipal): boolean {
  if (p.type !== 'RAMUser' && p.type !== 'AssumedRole') return false;
  if (p.inManagementAccount) return false;
  if (p.type !== 'AssumedRole') return true;
  return !(p.serviceLinked ?? (p.roleArn !== undefined && /:role\/aliyunservicerolefor/i.test(p.roleArn)));
}

export function isAssumeRole(action: string): boolean {
  return action.length === 14 && action.toLowerCase() === 'sts:assumerole';
}

export function interpret(set: PolicySetInput, request: AuthorizationRequest): Decision {
  const loaded = loadSet(set);
  const ctx = contextMap(request.context);
  const principal = request.principal;
  const owner = request.resourceOwnerAccountId ?? principal.accountId;
  const crossAccount = owner !== principal.accountId;
  const assumeRole = isAssumeRole(request.action);

  // 1. The account root on its own resources: Allow, unless a bucket-policy Deny whose
  //    Principal contains "*" and that has a Condition matches. Assuming a role is not
  //    acting on a resource: the role's trust policy decides for the root too (step 5).
  if (principal.type === 'Root' && !crossAccount && !assumeRole) {
    const denies: StatementRef[] = [];
    const r = loaded.resource;
    if (r && r.layer === 'resource') {
      for (const s of r.document.statements) {
        if (s.effect !== 'Deny' || !principalHasStar(s.principal) || s.conditions.length === 0) continue;
        if (statementMatches(s, true, request, ctx)) denies.push(statementRef(r, s.index));
      }
    }
    return denies.length > 0
      ? { decision: 'ExplicitDeny', decidedBy: denies }
      : { decision: 'Allow', decidedBy: [] };
  }

  const useControl = controlApplies(principal) && loaded.control.length > 0;
  const hasIdentity = principal.type === 'RAMUser' || principal.type === 'AssumedRole';
  const useIdentity = hasIdentity && (assumeRole || !crossAccount);

  const controlHits = useControl ? loaded.control.map((level) => scan(level, request, ctx)) : [];
  const sessionHits = loaded.session ? scan([loaded.session], request, ctx) : undefined;
  const identityHits = useIdentity ? scan(loaded.identity, request, ctx) : { allows: [], denies: [] };
  const resourceHits = loaded.resource ? scan([loaded.resource], request, ctx) : { allows: [], denies: [] };

  // 2. Explicit deny, across every layer that is evaluated.
  const denies = [
    ...controlHits.flatMap((h) => h.denies),
    ...(sessionHits?.denies ?? []),
    ...identityHits.denies,
    ...resourceHits.denies,
  ];
  if (denies.length > 0) return { decision: 'ExplicitDeny', decidedBy: denies };

  const implicit = (layer: PolicyLayer, level?: number): Decision => {
    const miss = nearestMiss(loaded, layer, level, request);
    return {
      decision: 'ImplicitDeny',
      decidedBy: [],
      missingAllowIn: layer,
      ...(miss ? { nearestMiss: miss } : {}),
    };
  };

  // 3. Control policies: every level from the member up to Root must allow.
  for (let level = 0; level < controlHits.length; level++) {
    if ((controlHits[level] as Hits).allows.length === 0) return implicit('control', level);
  }
  // 4. Session policy: must allow.
  if (sessionHits && sessionHits.allows.length === 0) return implicit('session');

  const resourceLayer: PolicyLayer = loaded.resource?.layer ?? (assumeRole ? 'trust' : 'resource');
  // 5. Identity and resource.
  if (assumeRole) {
    if (hasIdentity && identityHits.allows.length === 0) return implicit('identity');
    if (resourceLayer !== 'trust' || resourceHits.allows.length === 0) return implicit('trust');
    return { decision: 'Allow', decidedBy: [...identityHits.allows, ...resourceHits.allows] };
  }
  if (crossAccount || !useIdentity) {
    if (resourceHits.allows.length === 0)
      return implicit(crossAccount || !loaded.resource ? 'resource' : resourceLayer);
    return { decision: 'Allow', decidedBy: resourceHits.allows };
  }
  const allows = [...identityHits.allows, ...resourceHits.allows];
  if (allows.length === 0) return implicit('identity');
  return { decision: 'Allow', decidedBy: allows };
}
