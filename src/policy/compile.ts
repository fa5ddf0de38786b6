/**
 * The fast engine. A policy set is compiled once: statements indexed by action (exact names
 * in a map, wildcard patterns pre-compiled, NotAction apart), globs turned into matchers,
 * condition values parsed (CIDRs to ranges, dates to instants, numbers). Deciding then scans
 * only the statements whose Action can apply, with no parsing of policy text, no JSON and no
 * exceptions. It must agree with interpret.ts on decision, decidedBy and missingAllowIn.
 */
import { readDate, readIp } from './conditions/fast.js';
import type { IpRange } from './conditions/ip.js';
import { contextValues } from './conditions/keys.js';
import type { Scalar } from './conditions/string.js';
import type { Decision, Miss, PolicyLayer, StatementRef } from './decision.js';
import type { PrincipalSpec, Statement } from './document.js';
import { principalHasStar, principalMatches } from './elements/principal-match.js';
import { nearestMiss } from './explain.js';
import { compileGlob, hasWildcard, type Matcher } from './glob.js';
import { controlApplies, isAssumeRole } from './interpret.js';
import { loadSet, statementRef, type LoadedPolicy, type LoadedSet } from './layers.js';
import type { AuthorizationRequest, PolicySetInput, RequestContext } from './request.js';

interface CCond {
  readonly canonical: string;
  /** 0: no qualifier, 1: ForAnyValue, 2: ForAllValues. */
  readonly qualifier: 0 | 1 | 2;
  readonly negated: boolean;
  readonly parse: (v: Scalar) => unknown;
  readonly matchesAny: (r: unknown) => boolean;
  /** The clause cannot be evaluated: it never holds. */
  readonly dead: boolean;
}

interface CStmt {
  readonly order: number;
  readonly allow: boolean;
  readonly ref: StatementRef;
  readonly resource: Matcher | undefined;
  readonly resourceNegated: boolean;
  readonly principal: PrincipalSpec | undefined;
  readonly conds: readonly CCond[];
}

const CACHE_LIMIT = 2048;

interface Candidates {
  readonly allows: readonly CStmt[];
  readonly denies: readonly CStmt[];
}

/** IPv4 ranges as numbers, IPv6 as bigints, tested against readIp's result. */
function ipMatcher(ranges: readonly IpRange[]): (r: unknown) => boolean {
  const lo4: number[] = [];
  const hi4: number[] = [];
  const v6: { lo: bigint; hi: bigint }[] = [];
  for (const r of ranges) {
    if (r.v6) v6.push({ lo: r.lo, hi: r.hi });
    else {
      lo4.push(r.lo);
      hi4.push(r.hi);
    }
  }
  return (a: unknown) => {
    if (typeof a === 'number') {
      for (let i = 0; i < lo4.length; i++)
        if (a >= (lo4[i] as number) && a <= (hi4[i] as number)) return true;
      return false;
    }
    for (let i = 0; i < v6.length; i++) {
      const r = v6[i] as { lo: bigint; hi: bigint };
      if ((a as bigint) >= r.lo && (a as bigint) <= r.hi) return true;
    }
    return false;
  };
}

class Group {
  readonly stmts: CStmt[] = [];
  private readonly exact = new Map<string, number[]>();
  private readonly wild: { m: Matcher; i: number }[] = [];
  private readonly negated: { ms: Matcher[]; i: number }[] = [];
  private readonly cache = new Map<string, Candidates>();

  constructor(
    readonly resourceBased: boolean,
    policies: readonly LoadedPolicy[],
  ) {
    for (const p of policies) {
      for (const s of p.document.statements) {
        if (s.broken !== undefined || !s.action) continue;
        const i = this.stmts.length;
        this.stmts.push(compileStatement(s, i, Object.freeze(statementRef(p, s.index))));
        const patterns = s.action.patterns.map((a) => a.toLowerCase());
        if (s.action.negated) {
          this.negated.push({ ms: patterns.map(compileGlob), i });
          continue;
        }
        for (const a of patterns) {
          if (hasWildcard(a)) this.wild.push({ m: compileGlob(a), i });
          else {
            const list = this.exact.get(a);
            if (list) list.push(i);
            else this.exact.set(a, [i]);
          }
        }
      }
    }
  }

  /** The statements whose Action/NotAction covers the action, in document order. */
  candidates(action: string): Candidates {
    const hit = this.cache.get(action);
    if (hit !== undefined) return hit;
    const a = action.toLowerCase();
    const mark = new Uint8Array(this.stmts.length);
    for (const i of this.exact.get(a) ?? []) mark[i] = 1;
    for (const w of this.wild) if (w.m(a)) mark[w.i] = 1;
    for (const n of this.negated) if (!n.ms.some((m) => m(a))) mark[n.i] = 1;
    const allows: CStmt[] = [];
    const denies: CStmt[] = [];
    for (let i = 0; i < mark.length; i++) {
      const st = this.stmts[i] as CStmt;
      if (mark[i]) (st.allow ? allows : denies).push(st);
    }
    const list: Candidates = { allows, denies };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(action, list);
    return list;
  }
}

function compileStatement(s: Statement, order: number, ref: StatementRef): CStmt {
  let resource: Matcher | undefined;
  if (s.resource) {
    const ms = s.resource.patterns.map(compileGlob);
    resource =
      ms.length === 1
        ? (ms[0] as Matcher)
        : (r: string) => {
            for (let i = 0; i < ms.length; i++) if ((ms[i] as Matcher)(r)) return true;
            return false;
          };
  }
  const conds = s.conditions.map((c): CCond => {
    const parsed = c.parsed;
    if (c.problem !== undefined || !parsed) {
      return {
        canonical: c.canonicalKey,
        qualifier: 0,
        negated: false,
        parse: () => undefined,
        matchesAny: () => false,
        dead: true,
      };
    }
    const spec = parsed.spec;
    const ps = c.values.map((v) => spec.parsePolicy(v) as never);
    const ip = spec.family === 'IP';
    return {
      canonical: c.canonicalKey,
      qualifier: parsed.qualifier === 'ForAnyValue' ? 1 : parsed.qualifier === 'ForAllValues' ? 2 : 0,
      negated: spec.negated,
      parse: ip ? readIp : spec.family === 'Date' ? readDate : spec.parseRequest,
      matchesAny: ip ? ipMatcher(ps) : (spec.prepare(ps) as (r: unknown) => boolean),
      dead: false,
    };
  });
  return {
    order,
    allow: s.effect === 'Allow',
    ref,
    resource,
    resourceNegated: s.resource?.negated ?? false,
    principal: s.principal,
    conds,
  };
}

function satisfies(c: CCond, r: Scalar): boolean {
  const x = c.parse(r);
  const m = x !== undefined && c.matchesAny(x);
  return c.negated ? !m : m;
}

function condHolds(c: CCond, ctx: RequestContext): boolean {
  if (c.dead) return false;
  const rs = contextValues(ctx, c.canonical);
  const n = rs.length;
  if (c.qualifier === 1) {
    for (let i = 0; i < n; i++) if (satisfies(c, rs[i] as Scalar)) return true;
    return false;
  }
  if (c.qualifier === 2 || c.negated) {
    if (n === 0) return c.qualifier === 2 || c.negated;
    for (let i = 0; i < n; i++) if (!satisfies(c, rs[i] as Scalar)) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (satisfies(c, rs[i] as Scalar)) return true;
  return false;
}

function matches(s: CStmt, g: Group, req: AuthorizationRequest): boolean {
  if (s.resource !== undefined && s.resource(req.resource) === s.resourceNegated) return false;
  if (g.resourceBased && (s.principal === undefined || !principalMatches(s.principal, req.principal)))
    return false;
  const conds = s.conds;
  for (let i = 0; i < conds.length; i++) if (!condHolds(conds[i] as CCond, req.context)) return false;
  return true;
}

/** Matching Deny statements of a group, appended to `into`. */
function denies(g: Group, req: AuthorizationRequest, into: StatementRef[] | null): StatementRef[] | null {
  const list = g.candidates(req.action).denies;
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as CStmt;
    if (matches(s, g, req)) (into ??= []).push(s.ref);
  }
  return into;
}

/** Whether any Allow statement of the group matches. */
function anyAllow(g: Group, req: AuthorizationRequest): boolean {
  const list = g.candidates(req.action).allows;
  for (let i = 0; i < list.length; i++) if (matches(list[i] as CStmt, g, req)) return true;
  return false;
}

/** Every matching Allow statement of the group, appended to `into`. */
function allows(g: Group, req: AuthorizationRequest, into: StatementRef[] | null): StatementRef[] | null {
  const list = g.candidates(req.action).allows;
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as CStmt;
    if (matches(s, g, req)) (into ??= []).push(s.ref);
  }
  return into;
}

const NONE: readonly StatementRef[] = Object.freeze([]);

/** A policy set ready to decide; build it with compilePolicySet. */
export class CompiledPolicySet {
  /** @internal */ readonly loaded: LoadedSet;
  /** @internal */ readonly control: readonly Group[];
  /** @internal */ readonly session: Group | undefined;
  /** @internal */ readonly identity: Group;
  /** @internal */ readonly resource: Group | undefined;
  /** @internal */ readonly resourceLayer: PolicyLayer | undefined;
  /** @internal */ readonly ownerBinding: readonly CStmt[];
  /** Problems met while loading stored documents (they load anyway; see parse.ts). */
  readonly diagnostics: readonly string[];

  constructor(set: PolicySetInput) {
    const loaded = loadSet(set);
    this.loaded = loaded;
    this.control = loaded.control.map((level) => new Group(false, level));
    this.session = loaded.session ? new Group(false, [loaded.session]) : undefined;
    this.identity = new Group(false, loaded.identity);
    this.resource = loaded.resource ? new Group(true, [loaded.resource]) : undefined;
    this.resourceLayer = loaded.resource?.layer;
    const binding: CStmt[] = [];
    if (loaded.resource && loaded.resource.layer === 'resource') {
      const statements = loaded.resource.document.statements;
      for (const s of this.resource?.stmts ?? []) {
        const st = statements[s.ref.statement] as Statement;
        if (!s.allow && principalHasStar(st.principal) && st.conditions.length > 0) binding.push(s);
      }
    }
    this.ownerBinding = binding;
    const all = [...loaded.control.flat(), ...(loaded.session ? [loaded.session] : []), ...loaded.identity];
    if (loaded.resource) all.push(loaded.resource);
    this.diagnostics = all.flatMap((p) =>
      p.diagnostics.map((d) => `${p.layer} policy ${p.name ?? p.policy}: ${d}`),
    );
  }
}

export function compilePolicySet(set: PolicySetInput): CompiledPolicySet {
  return new CompiledPolicySet(set);
}

/**
 * An ImplicitDeny whose nearestMiss is worked out on first read: it costs more than the
 * decision itself and most callers only need the decision. The getter lives on the
 * prototype (cheap to create); toJSON includes it, so serialized decisions are complete.
 */
class ImplicitDeny implements Decision {
  readonly decision = 'ImplicitDeny' as const;
  readonly decidedBy = NONE;
  readonly #set: CompiledPolicySet;
  readonly #request: AuthorizationRequest;
  readonly #level: number | undefined;
  #miss: Miss | undefined | null = null;

  constructor(
    set: CompiledPolicySet,
    readonly missingAllowIn: PolicyLayer,
    request: AuthorizationRequest,
    level: number | undefined,
  ) {
    this.#set = set;
    this.#request = request;
    this.#level = level;
  }

  get nearestMiss(): Miss | undefined {
    if (this.#miss === null)
      this.#miss = nearestMiss(this.#set.loaded, this.missingAllowIn, this.#level, this.#request);
    return this.#miss;
  }

  toJSON(): Decision {
    const miss = this.nearestMiss;
    return {
      decision: this.decision,
      decidedBy: this.decidedBy,
      missingAllowIn: this.missingAllowIn,
      ...(miss ? { nearestMiss: miss } : {}),
    };
  }
}

function implicit(
  c: CompiledPolicySet,
  layer: PolicyLayer,
  req: AuthorizationRequest,
  level?: number,
): Decision {
  return new ImplicitDeny(c, layer, req, level);
}

function concat(a: StatementRef[] | null, b: StatementRef[] | null): StatementRef[] | null {
  if (a === null) return b;
  if (b === null) return a;
  for (let i = 0; i < b.length; i++) a.push(b[i] as StatementRef);
  return a;
}

export function evaluateCompiled(c: CompiledPolicySet, req: AuthorizationRequest): Decision {
  const principal = req.principal;
  const owner = req.resourceOwnerAccountId ?? principal.accountId;
  const crossAccount = owner !== principal.accountId;
  const assumeRole = isAssumeRole(req.action);

  // Assuming a role is not acting on a resource: the trust policy decides for the root too.
  if (principal.type === 'Root' && !crossAccount && !assumeRole) {
    let denies: StatementRef[] | null = null;
    if (c.ownerBinding.length > 0) {
      const g = c.resource as Group;
      const candidates = g.candidates(req.action).denies;
      for (const s of c.ownerBinding) {
        if (candidates.includes(s) && matches(s, g, req)) (denies ??= []).push(s.ref);
      }
    }
    return denies ? { decision: 'ExplicitDeny', decidedBy: denies } : { decision: 'Allow', decidedBy: NONE };
  }

  const useControl = c.control.length > 0 && controlApplies(principal);
  const hasIdentity = principal.type === 'RAMUser' || principal.type === 'AssumedRole';
  const useIdentity = hasIdentity && (assumeRole || !crossAccount);

  // Explicit deny first: when one matches, no Allow needs to be looked at.
  let found: StatementRef[] | null = null;
  if (useControl)
    for (let l = 0; l < c.control.length; l++) found = denies(c.control[l] as Group, req, found);
  if (c.session) found = denies(c.session, req, found);
  if (useIdentity) found = denies(c.identity, req, found);
  if (c.resource) found = denies(c.resource, req, found);
  if (found !== null) return { decision: 'ExplicitDeny', decidedBy: found };

  if (useControl) {
    for (let l = 0; l < c.control.length; l++)
      if (!anyAllow(c.control[l] as Group, req)) return implicit(c, 'control', req, l);
  }
  if (c.session && !anyAllow(c.session, req)) return implicit(c, 'session', req);

  if (assumeRole) {
    const identityAllows = useIdentity ? allows(c.identity, req, null) : null;
    if (hasIdentity && identityAllows === null) return implicit(c, 'identity', req);
    const trustAllows = c.resource && c.resourceLayer === 'trust' ? allows(c.resource, req, null) : null;
    if (trustAllows === null) return implicit(c, 'trust', req);
    return { decision: 'Allow', decidedBy: concat(identityAllows, trustAllows) as StatementRef[] };
  }
  if (crossAccount || !useIdentity) {
    const resourceAllows = c.resource ? allows(c.resource, req, null) : null;
    if (resourceAllows === null)
      return implicit(c, crossAccount || !c.resourceLayer ? 'resource' : c.resourceLayer, req);
    return { decision: 'Allow', decidedBy: resourceAllows };
  }
  let granted = allows(c.identity, req, null);
  if (c.resource) granted = allows(c.resource, req, granted);
  if (granted === null) return implicit(c, 'identity', req);
  return { decision: 'Allow', decidedBy: granted };
}
