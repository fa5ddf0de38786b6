/** Why a request was decided so: the nearest miss of an ImplicitDeny, and a readable paragraph. */
import type { ConditionClause, Statement } from './document.js';
import type { Decision, Miss, PolicyLayer, StatementRef } from './decision.js';
import { describePrincipal, principalMatches } from './elements/principal-match.js';
import { statementRef, type LoadedPolicy, type LoadedSet } from './layers.js';
import { actionMatches, clauseHolds, contextMap, resourceMatches, type ContextMap } from './match.js';
import type { AuthorizationRequest } from './request.js';

function listText(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

function clauseFailure(c: ConditionClause, ctx: ContextMap): string {
  const head = `Condition ${c.operator}[${JSON.stringify(c.key)}] failed: `;
  if (c.problem !== undefined || !c.parsed)
    return `${head}it cannot be evaluated (${c.problem ?? 'unknown operator'})`;
  const rs = ctx.get(c.canonicalKey) ?? [];
  if (rs.length === 0) return `${head}the request has no ${c.key}`;
  const ps = listText(c.values);
  const r = listText(rs);
  const { spec, qualifier } = c.parsed;
  const verb = rs.length > 1 ? 'are' : 'is';
  if (qualifier === undefined && spec.family === 'IP')
    return `${head}${r} ${verb}${spec.negated ? '' : ' not'} in ${ps}`;
  if (qualifier === undefined && spec.family === 'String' && !spec.negated)
    return `${head}${r} does not ${spec.name === 'StringLike' ? 'match' : 'equal'} ${ps}`;
  return `${head}the request value${rs.length > 1 ? 's' : ''} ${r} ${rs.length > 1 ? 'do' : 'does'} not satisfy ${c.operator} ${ps}`;
}

interface Scored {
  readonly score: number;
  readonly reason: Miss['reason'];
  readonly detail: string;
}

function score(
  s: Statement,
  resourceBased: boolean,
  request: AuthorizationRequest,
  ctx: ContextMap,
): Scored | undefined {
  if (s.broken !== undefined)
    return { score: -1, reason: 'action', detail: `The statement cannot match: ${s.broken}` };
  if (!actionMatches(s, request.action)) {
    const el = s.action?.negated ? 'NotAction' : 'Action';
    const verb = s.action?.negated ? 'excludes' : 'does not cover';
    return {
      score: 0,
      reason: 'action',
      detail: `${el} ${listText(s.action?.patterns ?? [])} ${verb} ${request.action}`,
    };
  }
  if (!resourceMatches(s, request.resource)) {
    const el = s.resource?.negated ? 'NotResource' : 'Resource';
    const verb = s.resource?.negated ? 'excludes' : 'does not cover';
    return {
      score: 1,
      reason: 'resource',
      detail: `${el} ${listText(s.resource?.patterns ?? [])} ${verb} ${request.resource}`,
    };
  }
  if (resourceBased && (!s.principal || !principalMatches(s.principal, request.principal))) {
    return {
      score: 2,
      reason: 'principal',
      detail: `Principal does not name ${describePrincipal(request.principal)}`,
    };
  }
  const failing = s.conditions.filter((c) => !clauseHolds(c, ctx));
  if (failing.length === 0) return undefined;
  const held = s.conditions.length - failing.length;
  return {
    score: 3 + held / s.conditions.length,
    reason: 'condition',
    detail: clauseFailure(failing[0] as ConditionClause, ctx),
  };
}

function layerPolicies(
  loaded: LoadedSet,
  layer: PolicyLayer,
  level: number | undefined,
): readonly LoadedPolicy[] {
  switch (layer) {
    case 'control':
      return loaded.control[level ?? 0] ?? [];
    case 'session':
      return loaded.session ? [loaded.session] : [];
    case 'identity':
      return loaded.identity;
    default:
      return loaded.resource && loaded.resource.layer === layer ? [loaded.resource] : [];
  }
}

/** The Allow statement of the missing layer that came closest to matching, and why it missed. */
export function nearestMiss(
  loaded: LoadedSet,
  layer: PolicyLayer,
  level: number | undefined,
  request: AuthorizationRequest,
): Miss | undefined {
  const ctx = contextMap(request.context);
  let best: { ref: StatementRef; s: Scored } | undefined;
  for (const p of layerPolicies(loaded, layer, level)) {
    const resourceBased = p.layer === 'trust' || p.layer === 'resource';
    for (const st of p.document.statements) {
      if (st.effect !== 'Allow') continue;
      const s = score(st, resourceBased, request, ctx);
      if (s && (!best || s.score > best.s.score)) best = { ref: statementRef(p, st.index), s };
    }
  }
  if (!best) return undefined;
  return { statement: best.ref, effect: 'Allow', reason: best.s.reason, detail: best.s.detail };
}

const LAYER_WORDS: Record<PolicyLayer, string> = {
  control: 'control policy',
  session: 'session policy',
  identity: 'identity policy',
  trust: 'trust policy',
  resource: 'resource policy',
};

/** e.g. statement 1 (Sid "DenyDelete") of identity policy "rd-oss" (Custom, v2) */
export function describeStatement(ref: StatementRef): string {
  const sid = ref.sid ? ` (Sid ${JSON.stringify(ref.sid)})` : '';
  const meta = [ref.policyType, ref.policyVersion].filter(Boolean).join(', ');
  const level =
    ref.layer === 'control' ? ` at level ${ref.level ?? 0}${ref.level === 0 ? ' (the member)' : ''}` : '';
  const policy = ref.policyName
    ? `${LAYER_WORDS[ref.layer]} ${JSON.stringify(ref.policyName)}`
    : ref.layer === 'identity' || ref.layer === 'control'
      ? `${LAYER_WORDS[ref.layer]} #${ref.policy}`
      : `the ${LAYER_WORDS[ref.layer]}`;
  return `statement ${ref.statement}${sid} of ${policy}${meta ? ` (${meta})` : ''}${level}`;
}

function missingWords(layer: PolicyLayer): string {
  switch (layer) {
    case 'control':
      return 'a control policy level (every level from the member up to Root must allow; control policies never grant)';
    case 'session':
      return 'the session policy (it narrows the role: both must allow)';
    case 'identity':
      return "the caller's identity policies (its own, its groups' or its role's)";
    case 'trust':
      return "the role's trust policy (it must trust the caller)";
    case 'resource':
      return "the target's resource policy (for another account's resource only it can grant)";
  }
}

/** One paragraph: what was decided and why. */
export function explainDecision(decision: Decision): string {
  const refs = decision.decidedBy.map(describeStatement);
  if (decision.decision === 'Allow') {
    if (refs.length === 0)
      return 'Allowed: the account itself (root) has full rights over its own resources.';
    return `Allowed by ${refs.join(' and ')}. No Deny statement matched and every layer that must allow did.`;
  }
  if (decision.decision === 'ExplicitDeny') {
    return `Explicitly denied by ${refs.join(' and ')}. A matching Deny overrides every Allow, in any policy.`;
  }
  const layer = decision.missingAllowIn ?? 'identity';
  let text = `Implicitly denied: no Allow statement in ${missingWords(layer)} matched the request, and access is denied by default.`;
  const miss = decision.nearestMiss;
  if (miss)
    text += ` The nearest was ${describeStatement(miss.statement)}, which did not apply: ${miss.detail}.`;
  else text += ` There is no ${LAYER_WORDS[layer]} Allow statement to compare with.`;
  return text;
}
