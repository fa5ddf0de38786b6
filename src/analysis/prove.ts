/**
 * Solver-backed comparison of two policy documents: does NEW allow a request that OLD does not
 * (widens), the converse (narrows), both, or neither (equivalent)? Each document becomes one
 * Z3 formula over a symbolic request (action, resource, condition keys), following the
 * engine's rules (src/policy/match.ts): case-insensitive actions, case-sensitive resources,
 * `*` and `?` wildcards, every condition operator, the ForAnyValue/ForAllValues qualifiers
 * over bounded value lists. Numbers, dates, booleans and addresses are Z3 arithmetic; each
 * string test is a Z3 boolean whose combination strings.ts realizes or refutes, the
 * refutation returned to the solver as a lemma (lazy refinement). A witness found this way
 * is decided again by the engine before it is reported.
 *
 * The request space searched (docs/analysis.md): an action `service:name`, a resource ARN
 * starting `acs:`, condition values as strings over printable ASCII plus every character the
 * documents mention, numbers as rationals, dates as rationals over the engine's range, IPv4 and IPv6
 * addresses. Anything outside that space is listed in `approximations`; with none listed, an
 * "equivalent" or "narrows" answer is a proof over every request the engine can be asked.
 */
import type { Arith, Bool } from 'z3-solver';
import {
  evaluate,
  parsePolicyDocument,
  type AuthorizationRequest,
  type ContextValue,
  type PolicyDocument,
  type PolicyKind,
  type PolicySetInput,
  type Statement,
} from '../policy/index.js';
import type { ConditionClause } from '../policy/document.js';
import type { Family } from '../policy/conditions/operators.js';
import { parseNumeric } from '../policy/conditions/numeric.js';
import { parseDate } from '../policy/conditions/date.js';
import { parseBool } from '../policy/conditions/bool.js';
import { parseIpRange, type IpRange } from '../policy/conditions/ip.js';
import { parseString } from '../policy/conditions/string.js';
import { solverContext, type Z3 } from './solver.js';
import {
  ACTION_SHAPE,
  caselessTest,
  finishAsync,
  globTest,
  literalTest,
  realizeSteps,
  sigmaClass,
  unrealizableCoreSteps,
  type Exhausted,
  type SearchBudget,
  type StringTest,
} from './strings.js';

/** Kinds whose statements name no Principal: a document alone decides a request. */
export const PROVABLE_KINDS: readonly PolicyKind[] = ['permission', 'session', 'control'];

export interface Witness {
  readonly action: string;
  readonly resource: string;
  /** Condition keys and values (a key that is not listed is absent from the request). */
  readonly context: Readonly<Record<string, ContextValue>>;
  /** The engine's decisions on this request, old then new. */
  readonly oldDecision: string;
  readonly newDecision: string;
  /** True when the engine agrees that the request separates the two documents. */
  readonly confirmed: boolean;
}

export type Verdict = 'equivalent' | 'widens' | 'narrows' | 'widens-and-narrows' | 'unknown';

export interface ProofResult {
  readonly verdict: Verdict;
  /** A request NEW allows and OLD does not. */
  readonly widening?: Witness;
  /** A request OLD allows and NEW does not. */
  readonly narrowing?: Witness;
  /** Where the searched request space is smaller than the engine's (empty: exact). */
  readonly approximations: readonly string[];
  readonly millis: number;
}

export interface ProveOptions {
  readonly kind?: PolicyKind;
  /**
   * Time limit per question (widening, narrowing), in milliseconds (default 10 000): solver
   * checks, string searches and refinement rounds together.
   */
  readonly timeoutMs?: number;
  /** Most string-search states per question (default 300 000): bounds its memory. */
  readonly maxStates?: number;
}

export class PolicyProofError extends Error {}

const DATE_MIN = -62167219200000; // 0000-01-01T00:00:00Z
const DATE_END = 253402300800000; // 10000-01-01T00:00:00Z
/** The widest ISO offset the engine reads (±23:59), in milliseconds. */
const OFFSET_MAX = (23 * 60 + 59) * 60_000;
/** Request dates the engine reads as ISO text: years 0000 to 9999 at any offset, any fraction. */
const ISO_LO = DATE_MIN - OFFSET_MAX;
const ISO_HI = DATE_END + OFFSET_MAX; // exclusive
/** Epoch seconds the engine reads: text of up to 12 digits, or a JSON number that is a safe integer. */
const EPOCH_TEXT_MAX = 999_999_999_999n;
const V4_MAX = 2n ** 32n - 1n;
const V6_MAX = 2n ** 128n - 1n;
const MAPPED_LO = 0xffffn << 32n;
const MAPPED_HI = (0xffffn << 32n) | 0xffffffffn;

/** Most refinement rounds of one question before it is reported undecided. */
const MAX_ROUNDS = 2000;

/** Most string-search states of one question (all its searches together). */
const MAX_STATES = 300_000;

/** Most values a multi-valued key may carry in a searched request. */
const MAX_SLOTS = 8;

/** A symbolic string: which of its tests it passes is the solver's choice. */
interface StringVar {
  readonly name: string;
  /** Tests every value passes (the action's shape, the resource's `acs:` prefix). */
  readonly fixed: readonly StringTest[];
  readonly tests: Map<string, { readonly test: StringTest; readonly bool: Bool<'main'> }>;
  readonly lowerCase: boolean;
  /** Only a used slot needs a value. */
  readonly guard?: Bool<'main'>;
}

interface Slot {
  readonly used: Bool<'main'>;
  str?: StringVar;
  num?: Arith<'main'>;
  numOk?: Bool<'main'>;
  /** Milliseconds since the epoch, a real: the engine keeps fractions of a millisecond. */
  date?: Arith<'main'>;
  dateOk?: Bool<'main'>;
  bool?: Bool<'main'>;
  boolOk?: Bool<'main'>;
  ip?: Arith<'main'>;
  ipV6?: Bool<'main'>;
  ipOk?: Bool<'main'>;
}

interface KeyModel {
  /** The key as a document spells it, for the witness. */
  readonly name: string;
  readonly families: Set<Family>;
  readonly slots: Slot[];
  /** How many clauses test the key, and whether one has a ForAnyValue/ForAllValues qualifier. */
  clauses: number;
  multi: boolean;
}

/** Lower-case code point -> every single code point whose lower case it is. */
let casePreimages: Map<string, string[]> | undefined;

function preimagesOf(ch: string): string[] {
  if (!casePreimages) {
    casePreimages = new Map();
    for (let c = 0; c <= 0x2ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const x = String.fromCodePoint(c);
      const l = x.toLowerCase();
      if (l === x || [...l].length !== 1) continue;
      const list = casePreimages.get(l) ?? [];
      list.push(x);
      casePreimages.set(l, list);
    }
  }
  return [ch, ...(casePreimages.get(ch) ?? [])];
}

function parseKind(text: string | object, kind: PolicyKind, label: string): PolicyDocument {
  const parsed = parsePolicyDocument(text, kind);
  const first = parsed.findings[0];
  if (first) throw new PolicyProofError(`${label} is not a valid ${kind} policy: ${first.message}`);
  return parsed.document;
}

/** Every string a document mentions (patterns and condition values), and its lower case. */
function documentStrings(doc: PolicyDocument): string[] {
  const out: string[] = [];
  for (const s of doc.statements) {
    if (s.action) out.push(...s.action.patterns.map((p) => p.toLowerCase()));
    if (s.resource) out.push(...s.resource.patterns);
    for (const c of s.conditions) for (const v of c.values.map(parseString)) out.push(v, v.toLowerCase());
  }
  return out;
}

/** The first character of a Final_Sigma class (see strings.ts) that `known` lacks. */
function unmentioned(known: ReadonlySet<string>, cls: 'c' | 'i' | 'o'): string | undefined {
  for (let c = 0x21; c <= 0x2ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const x = String.fromCodePoint(c);
    if (!known.has(x) && !known.has(x.toLowerCase()) && sigmaClass(x) === cls) return x;
  }
  return undefined;
}

/** An exact rational for a finite JS number, read from its shortest decimal text. */
function rational(n: number): { numerator: bigint; denominator: bigint } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!m) throw new PolicyProofError(`cannot read the number ${n}`);
  const frac = m[3] ?? '';
  let numerator = BigInt(`${m[2]}${frac}`);
  let denominator = 10n ** BigInt(frac.length);
  const exp = Number(m[4] ?? 0);
  if (exp > 0) numerator *= 10n ** BigInt(exp);
  else if (exp < 0) denominator *= 10n ** BigInt(-exp);
  return { numerator: m[1] === '-' ? -numerator : numerator, denominator };
}

/**
 * A decimal the engine reads (`Number()` of the text) as the double nearest the rational:
 * exact when the rational has a finite decimal expansion (every double has), otherwise 40
 * significant digits, however small the number (a fixed count of decimal places would read
 * 1e-31 as 0).
 */
export function decimalText(numerator: bigint, denominator: bigint): string {
  const neg = numerator < 0n;
  let n = neg ? -numerator : numerator;
  const whole = n / denominator;
  n %= denominator;
  let digits = '';
  let significant = whole === 0n ? 0 : String(whole).length;
  for (let i = 0; i < 1100 && n !== 0n && significant < 40; i++) {
    n *= 10n;
    const d = n / denominator;
    digits += String(d);
    if (significant > 0 || d !== 0n) significant++;
    n %= denominator;
  }
  return `${neg ? '-' : ''}${whole}${digits ? `.${digits}` : ''}`;
}

/**
 * Request text the engine's parseDate reads as the instant `ms` (a rational number of
 * milliseconds, which the search keeps inside the engine's range): ISO 8601 with nanoseconds,
 * at an offset of ±23:59 outside the years 0000 to 9999, or epoch seconds beyond them.
 */
export function dateText(numerator: bigint, denominator: bigint): string | number {
  const floor = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const whole = floor(numerator, denominator);
  if (whole * denominator === numerator && (whole < BigInt(ISO_LO) || whole >= BigInt(ISO_HI))) {
    const secs = whole / 1000n;
    return secs <= EPOCH_TEXT_MAX ? String(secs) : Number(secs);
  }
  let zone = 'Z';
  let local = whole;
  if (whole < BigInt(DATE_MIN)) {
    zone = '+23:59';
    local += BigInt(OFFSET_MAX);
  } else if (whole >= BigInt(DATE_END)) {
    zone = '-23:59';
    local -= BigInt(OFFSET_MAX);
  }
  const rest = numerator - whole * denominator; // [0, denominator)
  const nanos = (rest * 1_000_000n) / denominator;
  const iso = new Date(Number(local)).toISOString().slice(0, 23);
  const sub = nanos === 0n ? '' : String(nanos).padStart(6, '0').replace(/0+$/, '');
  return `${iso}${sub}${zone}`;
}

function ipText(v6: boolean, n: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

function familyOf(clause: ConditionClause): Family | undefined {
  return clause.parsed?.spec.family;
}

/** Readable characters first, so the shortest witness is also the plainest. */
function alphabetOrder(a: string, b: string): number {
  const rank = (c: string) =>
    /[a-z]/.test(c) ? 0 : /[0-9]/.test(c) ? 1 : /[A-Z]/.test(c) ? 2 : c < '\x7f' ? 3 : 4;
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

class Encoder {
  readonly approximations = new Set<string>();
  readonly action: StringVar;
  readonly resource: StringVar;
  readonly strings: StringVar[] = [];
  readonly keys = new Map<string, KeyModel>();
  /** Characters the documents mention, with every character that lower-cases to one of them. */
  readonly known = new Set<string>();
  /** The characters searched: the known ones and one standing for every other. */
  readonly alphabet: string[];
  readonly lowerAlphabet: string[];
  readonly constraints: Bool<'main'>[] = [];
  /** Assumptions that keep unqualified keys to one value (tried first, for plain witnesses). */
  readonly singleValued: Bool<'main'>[] = [];
  private counter = 0;

  constructor(
    readonly z: Z3,
    docs: readonly PolicyDocument[],
  ) {
    for (const d of docs)
      for (const text of documentStrings(d))
        for (const ch of text) {
          if (ch === '*' || ch === '?') continue;
          this.known.add(ch);
          for (const v of preimagesOf(ch.toLowerCase())) this.known.add(v);
        }
    // The fixed tests' characters: the action's ":" and the resource's "acs:".
    for (const ch of 'acs:') this.known.add(ch);
    // Lower-casing a whole string is not character by character: a capital sigma becomes "ς"
    // at the end of a word and "σ" elsewhere, and "İ" (U+0130) becomes "i̇" (two characters).
    if (['\u03a3', '\u03c3', '\u03c2'].some((ch) => this.known.has(ch)))
      for (const ch of '\u03a3\u03c3\u03c2') this.known.add(ch);
    if (this.known.has('i') && this.known.has('\u0307')) this.known.add('\u0130');
    const fresh = [...'0123456789-_~=+#@!$%&,;'].find((ch) => !this.known.has(ch));
    const extra = fresh === undefined ? [] : [fresh];
    if (fresh === undefined)
      this.approximations.add(
        'the documents mention every character that could stand for the others: requests are searched over the mentioned ones',
      );
    // Where a sigma is compared ignoring case, what surrounds it counts: one unmentioned cased
    // and one unmentioned case-ignorable character stand for the others of their kind.
    if (this.known.has('\u03a3'))
      for (const cls of ['c', 'i'] as const) {
        const rep = unmentioned(this.known, cls);
        if (rep !== undefined) extra.push(rep);
      }
    this.alphabet = [...this.known, ...extra].sort(alphabetOrder);
    this.lowerAlphabet = this.alphabet.filter((ch) => ch.toLowerCase() === ch);
    this.action = this.stringVar('action', [ACTION_SHAPE], true);
    this.resource = this.stringVar('resource', [globTest('acs:*')], false);
    for (const d of docs) for (const s of d.statements) for (const c of s.conditions) this.declareKey(c);
  }

  private stringVar(
    name: string,
    fixed: readonly StringTest[],
    lowerCase: boolean,
    guard?: Bool<'main'>,
  ): StringVar {
    const v: StringVar = { name, fixed, tests: new Map(), lowerCase, ...(guard ? { guard } : {}) };
    this.strings.push(v);
    return v;
  }

  /** The boolean "v passes this test", one per distinct test. */
  private passes(v: StringVar, key: string, make: () => StringTest): Bool<'main'> {
    let t = this.tests(v).get(key);
    if (!t) {
      t = { test: make(), bool: this.z.Bool.const(`${v.name}_t${this.counter++}`) };
      v.tests.set(key, t);
    }
    return t.bool;
  }

  private tests(v: StringVar) {
    return v.tests;
  }

  private caseless(text: string): StringTest {
    return caselessTest(text);
  }

  private declareKey(c: ConditionClause): void {
    const family = familyOf(c);
    if (!family || c.problem !== undefined) return;
    let model = this.keys.get(c.canonicalKey);
    if (!model) {
      model = { name: c.key, families: new Set(), slots: [], clauses: 0, multi: false };
      this.keys.set(c.canonicalKey, model);
    }
    model.families.add(family);
    model.clauses++;
    if (c.parsed?.qualifier) model.multi = true;
  }

  /** Creates the variables of every key once all clauses are known. */
  finishKeys(): void {
    const z = this.z;
    let k = 0;
    for (const model of this.keys.values()) {
      // Each clause needs at most one value of the key to hold or to fail, so as many values
      // as clauses suffice (the engine accepts a list for any key).
      const n = Math.min(model.clauses, MAX_SLOTS);
      if (model.clauses > MAX_SLOTS)
        this.approximations.add(`${model.name}: requests carry at most ${MAX_SLOTS} values of this key`);
      if (model.families.size > 1)
        this.approximations.add(
          `${model.name} is compared as ${[...model.families].join(' and ')}: its values are searched separately per type`,
        );
      for (let i = 0; i < n; i++) {
        const id = `k${k}_${i}`;
        const slot: Slot = { used: z.Bool.const(`${id}_used`) };
        if (i > 0) this.constraints.push(z.Implies(slot.used, (model.slots[i - 1] as Slot).used));
        for (const f of model.families) {
          if (f === 'String') {
            slot.str = this.stringVar(`${id}_s`, [], false, slot.used);
          } else if (f === 'Numeric') {
            slot.num = z.Real.const(`${id}_n`);
            slot.numOk = z.Bool.const(`${id}_nok`);
          } else if (f === 'Date') {
            // ISO text covers an interval at any precision; epoch seconds, whole seconds up to
            // the largest safe integer (as a JSON number; 12 digits as text).
            const d = z.Real.const(`${id}_d`);
            const secs = z.Int.const(`${id}_ds`);
            slot.date = d;
            slot.dateOk = z.Bool.const(`${id}_dok`);
            this.constraints.push(
              z.Or(
                z.And(d.ge(ISO_LO), d.lt(ISO_HI)),
                z.And(
                  secs.ge(0),
                  secs.le(z.Int.val(BigInt(Number.MAX_SAFE_INTEGER))),
                  d.eq(z.ToReal(secs).mul(1000)),
                ),
              ),
            );
          } else if (f === 'Bool') {
            slot.bool = z.Bool.const(`${id}_b`);
            slot.boolOk = z.Bool.const(`${id}_bok`);
          } else {
            slot.ip = z.Int.const(`${id}_ip`);
            slot.ipV6 = z.Bool.const(`${id}_v6`);
            slot.ipOk = z.Bool.const(`${id}_ipok`);
            const ip = slot.ip;
            this.constraints.push(
              ip.ge(0),
              z.If(slot.ipV6, ip.le(z.Int.val(V6_MAX)), ip.le(z.Int.val(V4_MAX))) as Bool<'main'>,
              z.Implies(slot.ipV6, z.Not(z.And(ip.ge(z.Int.val(MAPPED_LO)), ip.le(z.Int.val(MAPPED_HI))))),
            );
          }
        }
        model.slots.push(slot);
      }
      // A key no clause qualifies is searched with one value first (requests carry one).
      if (!model.multi && n > 1) this.singleValued.push(z.Not((model.slots[1] as Slot).used));
      k++;
    }
  }

  /** One base comparison of a request slot against one policy value (the pair rule). */
  private test(c: ConditionClause, slot: Slot, raw: string | number | boolean): Bool<'main'> {
    const z = this.z;
    const spec = c.parsed!.spec;
    switch (spec.family) {
      case 'String': {
        const p = parseString(raw);
        const s = slot.str!;
        if (spec.name === 'StringLike' || spec.name === 'StringNotLike')
          return this.passes(s, `like:${p}`, () => globTest(p));
        if (spec.name.endsWith('IgnoreCase'))
          return this.passes(s, `caseless:${p.toLowerCase()}`, () => this.caseless(p));
        return this.passes(s, `equals:${p}`, () => literalTest(p));
      }
      case 'Numeric': {
        const p = z.Real.val(rational(parseNumeric(raw) as number));
        const r = slot.num!;
        const base = spec.name.replace('NumericNot', 'Numeric');
        const cmp =
          base === 'NumericEquals'
            ? r.eq(p)
            : base === 'NumericLessThan'
              ? r.lt(p)
              : base === 'NumericLessThanEquals'
                ? r.le(p)
                : base === 'NumericGreaterThan'
                  ? r.gt(p)
                  : r.ge(p);
        return z.And(slot.numOk!, cmp);
      }
      case 'Date': {
        const ms = parseDate(raw) as number;
        const p = z.Real.val(rational(ms));
        const r = slot.date!;
        const base = spec.name.replace('DateNot', 'Date');
        const cmp =
          base === 'DateEquals'
            ? r.eq(p)
            : base === 'DateLessThan'
              ? r.lt(p)
              : base === 'DateLessThanEquals'
                ? r.le(p)
                : base === 'DateGreaterThan'
                  ? r.gt(p)
                  : r.ge(p);
        // Beyond 2^53 ms the engine's doubles no longer hold every whole millisecond: a request
        // date it rounds onto this value could be searched as different from it.
        if (Math.abs(ms) > Number.MAX_SAFE_INTEGER)
          this.approximations.add(
            `${c.key}: dates beyond 2^53 milliseconds are compared exactly, the engine rounds them`,
          );
        return z.And(slot.dateOk!, cmp);
      }
      case 'Bool':
        return z.And(slot.boolOk!, slot.bool!.eq(z.Bool.val(parseBool(raw) as boolean)));
      case 'IP': {
        const range = parseIpRange(raw) as IpRange;
        const lo = z.Int.val(BigInt(range.lo));
        const hi = z.Int.val(BigInt(range.hi));
        return z.And(slot.ipOk!, range.v6 ? slot.ipV6! : z.Not(slot.ipV6!), slot.ip!.ge(lo), slot.ip!.le(hi));
      }
    }
  }

  /** clauseHolds (src/policy/match.ts) as a formula. */
  clause(c: ConditionClause): Bool<'main'> {
    const z = this.z;
    if (c.problem !== undefined || !c.parsed) return z.Bool.val(false);
    const model = this.keys.get(c.canonicalKey);
    if (!model) return z.Bool.val(false);
    const { qualifier, spec } = c.parsed;
    const satisfies = (slot: Slot): Bool<'main'> => {
      const any = z.Or(...c.values.map((v) => this.test(c, slot, v)));
      return spec.negated ? z.Not(any) : any;
    };
    const some = () => z.Or(...model.slots.map((s) => z.And(s.used, satisfies(s))));
    const every = () => z.And(...model.slots.map((s) => z.Implies(s.used, satisfies(s))));
    if (qualifier === 'ForAnyValue') return some();
    if (qualifier === 'ForAllValues') return every();
    return spec.negated ? every() : some();
  }

  statement(s: Statement): Bool<'main'> {
    const z = this.z;
    if (s.broken !== undefined || !s.action) return z.Bool.val(false);
    const actionHit = z.Or(
      ...s.action.patterns.map((p) => {
        const lower = p.toLowerCase();
        return this.passes(this.action, `like:${lower}`, () => globTest(lower));
      }),
    );
    const parts: Bool<'main'>[] = [s.action.negated ? z.Not(actionHit) : actionHit];
    if (s.resource) {
      const hit = z.Or(
        ...s.resource.patterns.map((p) => this.passes(this.resource, `like:${p}`, () => globTest(p))),
      );
      parts.push(s.resource.negated ? z.Not(hit) : hit);
    }
    for (const c of s.conditions) parts.push(this.clause(c));
    return z.And(...parts);
  }

  /** Some Allow statement matches and no Deny statement does. */
  allows(doc: PolicyDocument): Bool<'main'> {
    const z = this.z;
    const allow = doc.statements.filter((s) => s.effect === 'Allow').map((s) => this.statement(s));
    const deny = doc.statements.filter((s) => s.effect === 'Deny').map((s) => this.statement(s));
    return z.And(z.Or(...allow), z.Not(z.Or(...deny)));
  }

  /**
   * Values for every string the model needs, or a lemma: a set of string tests no string
   * passes together (so the solver must avoid it), or 'gave-up'.
   */
  async realizeStrings(
    truth: (b: Bool<'main'>) => boolean,
    budget: SearchBudget,
  ): Promise<{ values: Map<StringVar, string> } | { lemma: Bool<'main'> } | 'gave-up'> {
    const z = this.z;
    const values = new Map<StringVar, string>();
    for (const v of this.strings) {
      if (v.guard && !truth(v.guard)) continue;
      const alphabet = v.lowerCase ? this.lowerAlphabet : this.alphabet;
      const yes: [Bool<'main'> | null, StringTest][] = v.fixed.map((t) => [null, t]);
      const no: [Bool<'main'>, StringTest][] = [];
      for (const t of v.tests.values()) (truth(t.bool) ? yes : no).push([t.bool, t.test]);
      const r = await finishAsync(
        realizeSteps(
          alphabet,
          yes.map((x) => x[1]),
          no.map((x) => x[1]),
          budget,
        ),
      );
      if (r.gaveUp) return 'gave-up';
      if (r.value !== undefined) {
        values.set(v, r.value);
        continue;
      }
      const core = await finishAsync(unrealizableCoreSteps(alphabet, yes, no, budget));
      const lits = [
        ...core.must.filter((b): b is Bool<'main'> => b !== null).map((b) => z.Not(b)),
        ...(core.mustNot as Bool<'main'>[]),
      ];
      return { lemma: lits.length ? z.Or(...lits) : z.Bool.val(false) };
    }
    return { values };
  }
}

/**
 * The searched action is lower case (the engine compares actions so): spell each character as
 * the literal start of a document's pattern spells it (`oss:get` -> `oss:Get`), for people.
 */
function recase(lowered: string, patterns: readonly string[]): string {
  let out = '';
  for (let i = 0; i < lowered.length; i++) {
    const upTo = lowered.slice(0, i + 1);
    const source = patterns
      .map((p) => p.split(/[*?]/)[0] as string)
      .find(
        (prefix) =>
          prefix.length > i &&
          prefix.toLowerCase().length === prefix.length &&
          prefix.toLowerCase().startsWith(upTo),
      );
    out += source ? (source[i] as string) : (lowered[i] as string);
  }
  return out;
}

type ModelOf = ReturnType<InstanceType<Z3['Solver']>['model']>;

function readWitness(
  enc: Encoder,
  model: ModelOf,
  strings: Map<StringVar, string>,
  actionNames: readonly string[],
): Omit<Witness, 'oldDecision' | 'newDecision' | 'confirmed'> {
  const z = enc.z;
  const truth = (e: Bool<'main'>) => z.isTrue(model.eval(e, true));
  const big = (e: Arith<'main'>) => BigInt((model.eval(e, true) as unknown as { value(): bigint }).value());
  const lowered = strings.get(enc.action) ?? '';
  const action = actionNames.find((a) => a.toLowerCase() === lowered) ?? recase(lowered, actionNames);
  // Without a prototype: a policy's condition key may be named `__proto__`.
  const context = Object.create(null) as Record<string, ContextValue>;
  for (const key of enc.keys.values()) {
    const values: (string | number | boolean)[] = [];
    let type: ContextValue['type'] = 'String';
    for (const slot of key.slots) {
      if (!truth(slot.used)) continue;
      if (slot.str) {
        values.push(strings.get(slot.str) ?? '');
        type = 'String';
      } else if (slot.num) {
        type = 'Numeric';
        if (!truth(slot.numOk!)) values.push('not-a-number');
        else {
          const v = (
            model.eval(slot.num, true) as unknown as { value(): { numerator: bigint; denominator: bigint } }
          ).value();
          values.push(decimalText(v.numerator, v.denominator));
        }
      } else if (slot.date) {
        type = 'Date';
        if (!truth(slot.dateOk!)) values.push('not-a-date');
        else {
          const v = (
            model.eval(slot.date, true) as unknown as { value(): { numerator: bigint; denominator: bigint } }
          ).value();
          values.push(dateText(v.numerator, v.denominator));
        }
      } else if (slot.bool) {
        type = 'Bool';
        values.push(truth(slot.boolOk!) ? truth(slot.bool) : 'not-a-bool');
      } else if (slot.ip) {
        type = 'IP';
        values.push(truth(slot.ipOk!) ? ipText(truth(slot.ipV6!), big(slot.ip)) : 'not-an-ip');
      }
    }
    if (values.length) context[key.name] = { type, values };
  }
  return { action, resource: strings.get(enc.resource) ?? 'acs:', context };
}

function decide(doc: string | object, kind: PolicyKind, request: AuthorizationRequest): string {
  const allowAll = { Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const set: PolicySetInput =
    kind === 'control'
      ? {
          identity: [{ name: 'allow-all', document: allowAll }],
          control: [{ node: 'member', policies: [{ name: 'compared', document: doc }] }],
        }
      : kind === 'session'
        ? { identity: [{ name: 'allow-all', document: allowAll }], session: { document: doc } }
        : { identity: [{ name: 'compared', document: doc }] };
  return evaluate(set, request).decision;
}

/** The request a witness describes, as the engine is asked it. */
export function witnessRequest(w: Pick<Witness, 'action' | 'resource' | 'context'>): AuthorizationRequest {
  return {
    principal: {
      type: 'RAMUser',
      accountId: '1000000000000001',
      arn: 'acs:ram::1000000000000001:user/witness',
      name: 'witness',
    },
    action: w.action,
    resource: w.resource,
    context: w.context,
  };
}

/** Compares two documents of the same kind; throws PolicyProofError on a malformed one. */
export async function provePolicyChange(
  oldSource: string | object,
  newSource: string | object,
  options: ProveOptions = {},
): Promise<ProofResult> {
  const kind = options.kind ?? 'permission';
  if (!PROVABLE_KINDS.includes(kind))
    throw new PolicyProofError(
      `--prove compares ${PROVABLE_KINDS.join(', ')} policies; a ${kind} policy also depends on its Principal`,
    );
  const oldDoc = parseKind(oldSource, kind, 'OLD');
  const newDoc = parseKind(newSource, kind, 'NEW');
  const z = await solverContext();
  const started = performance.now();
  const enc = new Encoder(z, [oldDoc, newDoc]);
  enc.finishKeys();
  const oldAllows = enc.allows(oldDoc);
  const newAllows = enc.allows(newDoc);
  const actionNames = [oldDoc, newDoc].flatMap((d) => d.statements.flatMap((s) => s.action?.patterns ?? []));

  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxStates = options.maxStates ?? MAX_STATES;
  // Facts about string tests, learned in one question and true in every other.
  const lemmas: Bool<'main'>[] = [];
  /** Why a question was left undecided. */
  type Undecided = { readonly undecided: Exhausted | 'solver' | 'rounds' };
  const ask = async (
    yes: Bool<'main'>,
    no: Bool<'main'>,
    expectOld: 'Allow' | 'deny',
  ): Promise<Witness | 'none' | Undecided> => {
    // One deadline and one state budget over the whole question: every solver check, string
    // search and refinement round draws on them.
    const budget: SearchBudget = { deadline: performance.now() + timeoutMs, states: maxStates };
    const timeLeft = () => Math.floor(budget.deadline - performance.now());
    const solver = new z.Solver();
    for (const c of enc.constraints) solver.add(c);
    for (const l of lemmas) solver.add(l);
    solver.add(yes, z.Not(no));
    let found: ReturnType<typeof readWitness> | undefined;
    // One value per unqualified key first; then lists, which the engine also accepts.
    const phases: Bool<'main'>[][] = enc.singleValued.length ? [enc.singleValued, []] : [[]];
    let phase = 0;
    for (let round = 0; !found; round++) {
      if (round >= MAX_ROUNDS) return { undecided: 'rounds' };
      if (timeLeft() <= 0) return { undecided: 'time' };
      solver.set('timeout', timeLeft());
      const answer = await solver.check(...(phases[phase] as Bool<'main'>[]));
      if (answer === 'unsat') {
        if (++phase < phases.length) continue;
        return 'none';
      }
      if (answer === 'unknown') return { undecided: timeLeft() <= 50 ? 'time' : 'solver' };
      const model = solver.model();
      const r = await enc.realizeStrings((b) => z.isTrue(model.eval(b, true)), budget);
      if (r === 'gave-up') return { undecided: budget.exhausted ?? 'time' };
      if ('lemma' in r) {
        lemmas.push(r.lemma);
        solver.add(r.lemma);
        continue;
      }
      found = readWitness(enc, model, r.values, actionNames);
    }
    const request = witnessRequest(found);
    const oldDecision = decide(oldSource, kind, request);
    const newDecision = decide(newSource, kind, request);
    const confirmed =
      expectOld === 'Allow'
        ? oldDecision === 'Allow' && newDecision !== 'Allow'
        : oldDecision !== 'Allow' && newDecision === 'Allow';
    return { ...found, oldDecision, newDecision, confirmed };
  };

  const widening = await ask(newAllows, oldAllows, 'deny');
  const narrowing = await ask(oldAllows, newAllows, 'Allow');
  const widens = typeof widening === 'object' && 'confirmed' in widening && widening.confirmed;
  const narrows = typeof narrowing === 'object' && 'confirmed' in narrowing && narrowing.confirmed;
  const settled = (w: typeof widening) => w === 'none' || ('confirmed' in w && w.confirmed);
  const verdict: Verdict =
    !settled(widening) || !settled(narrowing)
      ? 'unknown'
      : widens && narrows
        ? 'widens-and-narrows'
        : widens
          ? 'widens'
          : narrows
            ? 'narrows'
            : 'equivalent';
  const approximations = [...enc.approximations];
  const isWitness = (w: typeof widening): w is Witness => typeof w === 'object' && 'confirmed' in w;
  const why: Record<Undecided['undecided'], string> = {
    time: `was not decided within its time limit (${timeoutMs} ms)`,
    states: `was not decided within the string search's limit of ${maxStates} states`,
    rounds: `was not decided within ${MAX_ROUNDS} refinement rounds`,
    solver: 'was left undecided by the solver',
  };
  for (const [w, name] of [
    [widening, 'widening'],
    [narrowing, 'narrowing'],
  ] as const) {
    if (isWitness(w) && !w.confirmed)
      approximations.push(`the solver found a ${name} the engine does not confirm`);
    else if (typeof w === 'object' && 'undecided' in w)
      approximations.push(`the ${name} question ${why[w.undecided]}`);
  }
  return {
    verdict,
    ...(isWitness(widening) ? { widening } : {}),
    ...(isWitness(narrowing) ? { narrowing } : {}),
    approximations,
    millis: Math.round(performance.now() - started),
  };
}

/** A readable report of a proof. */
export function formatProof(r: ProofResult): string {
  const lines: string[] = [];
  const said: Record<Verdict, string> = {
    equivalent: 'Equivalent: NEW allows exactly the requests OLD allows.',
    widens: 'Widens: NEW allows requests OLD does not, and allows everything OLD allows.',
    narrows: 'Narrows: NEW allows only requests OLD allows, and denies some OLD allows.',
    'widens-and-narrows': 'Widens and narrows: each document allows requests the other does not.',
    unknown: 'Unknown: the comparison could not be decided.',
  };
  lines.push(said[r.verdict]);
  const show = (label: string, w: Witness) => {
    lines.push('', `${label}:`, `  action:   ${w.action}`, `  resource: ${w.resource}`);
    const keys = Object.entries(w.context);
    if (keys.length === 0) lines.push('  context:  (no condition keys)');
    for (const [k, v] of keys)
      lines.push(`  context:  ${k} = ${v.values.map((x) => JSON.stringify(x)).join(', ')}`);
    lines.push(
      `  engine:   OLD ${w.oldDecision}, NEW ${w.newDecision}${w.confirmed ? '' : ' (not confirmed)'}`,
    );
  };
  if (r.widening) show('A request NEW allows and OLD does not', r.widening);
  if (r.narrowing) show('A request OLD allows and NEW does not', r.narrowing);
  if (r.approximations.length) {
    lines.push('', 'Approximations (an equivalence or narrowing holds over the searched requests only):');
    for (const a of r.approximations) lines.push(`  - ${a}`);
  }
  lines.push('', `Decided in ${r.millis} ms.`);
  return lines.join('\n');
}
