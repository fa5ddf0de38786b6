/**
 * The fast engine. A policy set is compiled once: statements indexed by action (exact names
 * in a map, wildcard patterns pre-compiled, NotAction apart), globs turned into matchers,
 * condition values parsed (CIDRs to ranges, dates to instants, numbers). Deciding then scans
 * only the statements whose Action can apply, with no parsing of policy text, no JSON and no
 * exceptions. It must agree with interpret.ts on decision, decidedBy and missingAllowIn.
 */
import type { Scalar } from './conditions/string.js';
import { contextValues } from './conditions/keys.js';
import type { Decision, PolicyLayer, StatementRef } from './decision.js';
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

class Group {
  readonly stmts: CStmt[] = [];
  private readonly exact = new Map<string, number[]>();
  private readonly wild: { m: Matcher; i: number }[] = [];
  private readonly negated: { ms: Matcher[]; i: number }[] = [];
  private readonly cache = new Map<string, readonly CStmt[]>();

  constructor(
    readonly resourceBased: boolean,
    policies: readonly LoadedPolicy[],
  ) {
    for (const p of policies) {
      for (const s of p.document.statements) {
        if (s.broken !== undefined || !s.action) continue;
        const i = this.stmts.length;
        this.stmts.push(compileStatement(s, i, statementRef(p, s.index)));
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
  candidates(action: string): readonly CStmt[] {
    const hit = this.cache.get(action);
    if (hit !== undefined) return hit;
    const a = action.toLowerCase();
    const mark = new Uint8Array(this.stmts.length);
    for (const i of this.exact.get(a) ?? []) mark[i] = 1;
    for (const w of this.wild) if (w.m(a)) mark[w.i] = 1;
    for (const n of this.negated) if (!n.ms.some((m) => m(a))) mark[n.i] = 1;
    const list: CStmt[] = [];
    for (let i = 0; i < mark.length; i++) if (mark[i]) list.push(this.stmts[i] as CStmt);
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
    return {
      canonical: c.canonicalKey,
      qualifier: parsed.qualifier === 'ForAnyValue' ? 1 : parsed.qualifier === 'ForAllValues' ? 2 : 0,
      negated: spec.negated,
      parse: spec.parseRequest,
      matchesAny: spec.prepare(ps) as (r: unknown) => boolean,
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

// Results of the last scan (single-threaded: set by scan, read right after).
let foundAllows: StatementRef[] | null = null;
let anyAllow = false;
let foundDenies: StatementRef[] | null = null;

function scan(g: Group, req: AuthorizationRequest, collectAllows: boolean): void {
  foundAllows = null;
  anyAllow = false;
  foundDenies = null;
  const list = g.candidates(req.action);
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as CStmt;
    if (s.allow && anyAllow && !collectAllows) continue;
    if (!matches(s, g, req)) continue;
    if (s.allow) {
      anyAllow = true;
      if (collectAllows) (foundAllows ??= []).push(s.ref);
    } else (foundDenies ??= []).push(s.ref);
  }
}

const NONE: readonly StatementRef[] = [];

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

function implicit(
  c: CompiledPolicySet,
  layer: PolicyLayer,
  req: AuthorizationRequest,
  level?: number,
): Decision {
  const miss = nearestMiss(c.loaded, layer, level, req);
  return {
    decision: 'ImplicitDeny',
    decidedBy: NONE,
    missingAllowIn: layer,
    ...(miss ? { nearestMiss: miss } : {}),
  };
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

  if (principal.type === 'Root' && !crossAccount) {
    let denies: StatementRef[] | null = null;
    if (c.ownerBinding.length > 0) {
      const g = c.resource as Group;
      const candidates = g.candidates(req.action);
      for (const s of c.ownerBinding) {
        if (candidates.includes(s) && matches(s, g, req)) (denies ??= []).push(s.ref);
      }
    }
    return denies ? { decision: 'ExplicitDeny', decidedBy: denies } : { decision: 'Allow', decidedBy: NONE };
  }

  const assumeRole = isAssumeRole(req.action);
  const useControl = c.control.length > 0 && controlApplies(principal);
  const hasIdentity = principal.type === 'RAMUser' || principal.type === 'AssumedRole';
  const useIdentity = hasIdentity && (assumeRole || !crossAccount);

  let denies: StatementRef[] | null = null;
  let controlMissing = -1;
  if (useControl) {
    for (let l = 0; l < c.control.length; l++) {
      scan(c.control[l] as Group, req, false);
      denies = concat(denies, foundDenies);
      if (!anyAllow && controlMissing < 0) controlMissing = l;
    }
  }
  let sessionMissing = false;
  if (c.session) {
    scan(c.session, req, false);
    denies = concat(denies, foundDenies);
    sessionMissing = !anyAllow;
  }
  let identityAllows: StatementRef[] | null = null;
  if (useIdentity) {
    scan(c.identity, req, true);
    denies = concat(denies, foundDenies);
    identityAllows = foundAllows;
  }
  let resourceAllows: StatementRef[] | null = null;
  if (c.resource) {
    scan(c.resource, req, true);
    denies = concat(denies, foundDenies);
    resourceAllows = foundAllows;
  }
  if (denies !== null) return { decision: 'ExplicitDeny', decidedBy: denies };
  if (controlMissing >= 0) return implicit(c, 'control', req, controlMissing);
  if (sessionMissing) return implicit(c, 'session', req);

  if (assumeRole) {
    if (hasIdentity && identityAllows === null) return implicit(c, 'identity', req);
    if (c.resourceLayer !== 'trust' || resourceAllows === null) return implicit(c, 'trust', req);
    return { decision: 'Allow', decidedBy: concat(identityAllows, resourceAllows) as StatementRef[] };
  }
  if (crossAccount || !useIdentity) {
    if (resourceAllows === null)
      return implicit(c, crossAccount || !c.resourceLayer ? 'resource' : c.resourceLayer, req);
    return { decision: 'Allow', decidedBy: resourceAllows };
  }
  const allows = concat(identityAllows, resourceAllows);
  if (allows === null) return implicit(c, 'identity', req);
  return { decision: 'Allow', decidedBy: allows };
}
