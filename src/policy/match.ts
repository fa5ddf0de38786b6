/** Plain matching rules (sections 2 and 4), used by the interpreter and by explanations. */
import type { ConditionClause, Statement } from './document.js';
import { canonicalKey } from './conditions/keys.js';
import type { Scalar } from './conditions/string.js';
import { principalMatches } from './elements/principal-match.js';
import { globMatch } from './glob.js';
import type { AuthorizationRequest, RequestContext } from './request.js';

export type ContextMap = ReadonlyMap<string, readonly Scalar[]>;

/** Context keys by canonical name; entries with the same canonical name are merged in order. */
export function contextMap(context: RequestContext): ContextMap {
  const map = new Map<string, Scalar[]>();
  for (const [key, value] of Object.entries(context)) {
    const k = canonicalKey(key);
    const list = map.get(k) ?? [];
    list.push(...value.values);
    map.set(k, list);
  }
  return map;
}

export function actionMatches(statement: Statement, action: string): boolean {
  if (!statement.action) return false;
  const a = action.toLowerCase();
  const any = statement.action.patterns.some((p) => globMatch(p.toLowerCase(), a));
  return statement.action.negated ? !any : any;
}

export function resourceMatches(statement: Statement, resource: string): boolean {
  if (!statement.resource) return true;
  const any = statement.resource.patterns.some((p) => globMatch(p, resource));
  return statement.resource.negated ? !any : any;
}

/** Section 2.5 and 4.6 for one operator + key. */
export function clauseHolds(clause: ConditionClause, ctx: ContextMap): boolean {
  if (clause.problem !== undefined || !clause.parsed) return false;
  const { qualifier, spec } = clause.parsed;
  const policyValues = clause.values.map((v) => spec.parsePolicy(v));
  const requestValues = ctx.get(clause.canonicalKey) ?? [];
  const matchesAny = (r: Scalar): boolean => {
    const x = spec.parseRequest(r);
    return x !== undefined && policyValues.some((p) => spec.test(x, p));
  };
  const satisfies = (r: Scalar): boolean => (spec.negated ? !matchesAny(r) : matchesAny(r));
  if (qualifier === 'ForAnyValue') return requestValues.some(satisfies);
  if (qualifier === 'ForAllValues') return requestValues.every(satisfies);
  if (requestValues.length === 0) return spec.negated;
  return spec.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

/** Whether the statement matches; resource-based layers also check the Principal. */
export function statementMatches(
  statement: Statement,
  resourceBased: boolean,
  request: AuthorizationRequest,
  ctx: ContextMap,
): boolean {
  if (statement.broken !== undefined) return false;
  if (!actionMatches(statement, request.action)) return false;
  if (!resourceMatches(statement, request.resource)) return false;
  if (resourceBased && (!statement.principal || !principalMatches(statement.principal, request.principal)))
    return false;
  return statement.conditions.every((c) => clauseHolds(c, ctx));
}
