/**
 * The string side of a proof. Every string test a policy makes (an Action or Resource pattern,
 * StringEquals, StringEqualsIgnoreCase, StringLike) is a regular language, given here as a
 * small nondeterministic automaton; the solver only chooses which tests a request string
 * passes, and `realize` decides whether some string passes exactly those: a search over the
 * product of the tests' automata, over the characters the documents mention plus characters
 * standing for every other one (unmentioned characters of one kind are interchangeable for
 * every test). It returns the shortest such string, or undefined when there is none.
 *
 * The search is A* (the fewest characters a `must` test still needs is the estimate), run
 * forwards and backwards in turn: a pattern such as `*a??????????????` has exponentially many
 * product states read forwards and a handful read backwards, `acs:*` the converse. Both
 * directions draw on one budget of time and states (a whole proof shares it), and the search
 * is a generator that pauses every few dozen states, so a caller can yield to its event loop.
 */

/** A nondeterministic automaton over code points; states are small integers. */
export interface StringTest {
  /** The initial states (closed under empty moves). */
  readonly start: readonly number[];
  /** The states one character leads to from a state (closed under empty moves). */
  next(state: number, ch: string): readonly number[];
  accepting(state: number): boolean;
  /** A lower bound on the characters still needed to reach acceptance from the state. */
  distance(state: number): number;
  /** True when every continuation is accepted from the state (optional). */
  universal?(state: number): boolean;
  /** The same language read backwards. */
  reversed(): StringTest;
}

export interface Token {
  readonly match: (ch: string) => boolean;
  /** Zero or more characters that match (a `*`); otherwise exactly one. */
  readonly star: boolean;
}

const ANY = (): boolean => true;

/** A sequence of tokens (a glob); state p is "the first p tokens are matched". */
class TokenTest implements StringTest {
  readonly start: readonly number[];
  private readonly remaining: number[];
  private readonly allStars: boolean[];
  private back?: TokenTest;

  constructor(readonly tokens: readonly Token[]) {
    const n = tokens.length;
    this.remaining = new Array<number>(n + 1).fill(0);
    this.allStars = new Array<boolean>(n + 1).fill(true);
    for (let p = n - 1; p >= 0; p--) {
      const t = tokens[p] as Token;
      this.remaining[p] = (this.remaining[p + 1] as number) + (t.star ? 0 : 1);
      this.allStars[p] = (this.allStars[p + 1] as boolean) && t.star && t.match === ANY;
    }
    this.start = this.closure([0]);
  }

  private closure(positions: readonly number[]): number[] {
    const out: number[] = [];
    for (let p of positions) {
      for (;;) {
        if (!out.includes(p)) out.push(p);
        const t = this.tokens[p];
        if (!t || !t.star) break;
        p++;
      }
    }
    return out;
  }

  next(state: number, ch: string): readonly number[] {
    const t = this.tokens[state];
    if (!t || !t.match(ch)) return [];
    return this.closure([t.star ? state : state + 1]);
  }

  accepting(state: number): boolean {
    return state === this.tokens.length;
  }

  distance(state: number): number {
    return this.remaining[state] as number;
  }

  universal(state: number): boolean {
    return state < this.tokens.length && (this.allStars[state] as boolean);
  }

  reversed(): StringTest {
    this.back ??= new TokenTest([...this.tokens].reverse());
    return this.back;
  }
}

/** `*` any run (including none), `?` one character, anything else itself. */
export function globTest(pattern: string): StringTest {
  const tokens: Token[] = [];
  for (const ch of pattern) {
    if (ch === '*') tokens.push({ match: ANY, star: true });
    else if (ch === '?') tokens.push({ match: ANY, star: false });
    else tokens.push({ match: (c) => c === ch, star: false });
  }
  return new TokenTest(tokens);
}

export function literalTest(text: string): StringTest {
  return new TokenTest([...text].map((ch) => ({ match: (c: string) => c === ch, star: false })));
}

const SIGMA = '\u03a3';

/**
 * How a character takes part in Unicode's Final_Sigma context, as the engine's
 * `String.prototype.toLowerCase()` reads it: 'c' cased, 'i' case-ignorable (skipped), 'o' other.
 */
const sigmaClasses = new Map<string, 'c' | 'i' | 'o'>();
export function sigmaClass(ch: string): 'c' | 'i' | 'o' {
  let k = sigmaClasses.get(ch);
  if (k === undefined) {
    k =
      `A${SIGMA}${ch}`.toLowerCase()[1] === '\u03c3'
        ? 'c'
        : `A${SIGMA}${ch}B`.toLowerCase()[1] === '\u03c3'
          ? 'i'
          : 'o';
    sigmaClasses.set(ch, k);
  }
  return k;
}

/** Reads an automaton backwards by inverting its transitions (for automata with few states). */
class ReversedTest implements StringTest {
  readonly start: readonly number[];
  private readonly table = new Map<string, number[][]>();

  constructor(
    private readonly forward: StringTest & { readonly size: number },
    private readonly backDistance: (state: number) => number,
  ) {
    const acc: number[] = [];
    for (let s = 0; s < forward.size; s++) if (forward.accepting(s)) acc.push(s);
    this.start = acc;
  }

  next(state: number, ch: string): readonly number[] {
    let t = this.table.get(ch);
    if (!t) {
      t = Array.from({ length: this.forward.size }, () => [] as number[]);
      for (let s = 0; s < this.forward.size; s++)
        for (const to of this.forward.next(s, ch)) (t[to] as number[]).push(s);
      this.table.set(ch, t);
    }
    return t[state] as number[];
  }

  accepting(state: number): boolean {
    return this.forward.start.includes(state);
  }

  distance(state: number): number {
    return this.backDistance(state);
  }

  reversed(): StringTest {
    return this.forward;
  }
}

/**
 * Strings whose whole-string lower case (`toLowerCase()`, as the engine folds) is `lower`,
 * when that involves the two context rules of Unicode lower-casing: a capital sigma is `ς` at
 * the end of a word (Final_Sigma) and `σ` elsewhere, and `İ` (U+0130) becomes `i̇` (two
 * characters). State: position in `lower`, whether a cased character precedes (skipping
 * case-ignorable ones), and what a sigma already read requires of what follows.
 */
class FoldTest implements StringTest {
  readonly start: readonly number[] = [0];
  readonly size: number;
  private readonly lower: string[];
  private back?: StringTest;

  constructor(lower: string) {
    this.lower = [...lower];
    this.size = (this.lower.length + 1) * 6;
  }

  // state = (pos * 2 + casedBefore) * 3 + pending (0 none, 1 no cased may follow, 2 one must)
  private static decode(s: number): [number, number, number] {
    return [Math.floor(s / 6), Math.floor(s / 3) % 2, s % 3];
  }

  next(state: number, ch: string): readonly number[] {
    const [pos, before] = FoldTest.decode(state);
    let pending = state % 3;
    const cls = sigmaClass(ch);
    if (pending !== 0 && cls !== 'i') {
      if ((cls === 'c') !== (pending === 2)) return [];
      pending = 0;
    }
    let at = pos;
    if (ch === SIGMA) {
      const want = this.lower[pos];
      if (want === '\u03c2' && before) pending = 1;
      else if (want === '\u03c3') pending = before ? 2 : 0;
      else return [];
      at++;
    } else {
      for (const out of ch.toLowerCase()) {
        if (this.lower[at] !== out) return [];
        at++;
      }
    }
    const nowBefore = cls === 'c' ? 1 : cls === 'o' ? 0 : before;
    return [(at * 2 + nowBefore) * 3 + pending];
  }

  accepting(state: number): boolean {
    const [pos, , pending] = FoldTest.decode(state);
    return pos === this.lower.length && pending !== 2;
  }

  distance(state: number): number {
    return Math.ceil((this.lower.length - (FoldTest.decode(state)[0] as number)) / 2);
  }

  reversed(): StringTest {
    this.back ??= new ReversedTest(this, (s) => Math.ceil(FoldTest.decode(s)[0] / 2));
    return this.back;
  }
}

/** True when folding `text`'s lower case depends on context or changes its length. */
export function foldIsContextual(lower: string): boolean {
  return /[\u03c2\u03c3]|i\u0307/u.test(lower);
}

/** Strings whose lower case (the engine's `toLowerCase()` of the whole string) is `text`'s. */
export function caselessTest(text: string): StringTest {
  const lower = text.toLowerCase();
  if (foldIsContextual(lower)) return new FoldTest(lower);
  return new TokenTest(
    [...lower].map((ch) => ({ match: (c: string) => c.toLowerCase() === ch, star: false })),
  );
}

/** `service:name`: two non-empty parts without ":" around one ":". */
export const ACTION_SHAPE: StringTest = new TokenTest([
  { match: (c) => c !== ':', star: false },
  { match: (c) => c !== ':', star: true },
  { match: (c) => c === ':', star: false },
  { match: (c) => c !== ':', star: false },
  { match: (c) => c !== ':', star: true },
]);

/** Why a search stopped before an answer. */
export type Exhausted = 'time' | 'states';

/**
 * Time and states one proof may spend on string searches, shared by every search of it:
 * `deadline` is a `performance.now()` instant, `states` the product states still allowed.
 */
export interface SearchBudget {
  deadline: number;
  states: number;
  /** Set when a search ran out of this budget. */
  exhausted?: Exhausted;
}

export interface RealizeResult {
  /** A string in every `must` language and in no `mustNot` one; undefined when none exists. */
  readonly value: string | undefined;
  /** True when the search stopped at its budget (value is then undefined). */
  readonly gaveUp: boolean;
}

/** Most product states one search visits when no budget is given. */
const LIMIT = 200_000;

/** States expanded between two pauses of a search. */
const PAUSE_EVERY = 4;

interface SearchNode {
  /** Per test, the id of its set of states (see Subsets). */
  readonly sets: Int32Array;
  readonly g: number;
  readonly parent: SearchNode | undefined;
  readonly ch: string;
}

/**
 * One test's automaton made deterministic as the search goes: each set of states it reaches
 * gets an id, and each (set, character) step is computed once.
 */
class Subsets {
  readonly sets: number[][] = [];
  readonly accepting: boolean[] = [];
  readonly distance: number[] = [];
  readonly universal: boolean[] = [];
  private readonly ids = new Map<string, number>();
  private readonly steps: Int32Array[] = [];

  constructor(
    private readonly test: StringTest,
    private readonly alphabetSize: number,
  ) {}

  id(states: readonly number[]): number {
    const sorted = [...states].sort((a, b) => a - b);
    const key = sorted.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(sorted);
      this.accepting.push(sorted.some((s) => this.test.accepting(s)));
      this.distance.push(Math.min(...sorted.map((s) => this.test.distance(s))));
      this.universal.push(sorted.some((s) => this.test.universal?.(s) === true));
      this.steps.push(new Int32Array(this.alphabetSize).fill(-1));
    }
    return id;
  }

  step(id: number, c: number, ch: string): number {
    const row = this.steps[id] as Int32Array;
    let to = row[c] as number;
    if (to < 0) {
      const out: number[] = [];
      for (const s of this.sets[id] as number[])
        for (const x of this.test.next(s, ch)) if (!out.includes(x)) out.push(x);
      to = this.id(out);
      row[c] = to;
    }
    return to;
  }
}

function textOf(node: SearchNode, backwards: boolean): string {
  const chars: string[] = [];
  for (let n: SearchNode | undefined = node; n && n.parent; n = n.parent) chars.push(n.ch);
  return backwards ? chars.join('') : chars.reverse().join('');
}

/** One direction of the search; yields after every PAUSE_EVERY expansions. */
function* directed(
  alphabet: readonly string[],
  tests: readonly StringTest[],
  mustCount: number,
  budget: SearchBudget,
  backwards: boolean,
): Generator<void, RealizeResult> {
  const subsets = tests.map((t) => new Subsets(t, alphabet.length));
  const h = (sets: Int32Array) => {
    let most = 0;
    for (let i = 0; i < mustCount; i++)
      most = Math.max(most, (subsets[i] as Subsets).distance[sets[i] as number] as number);
    return most;
  };
  const good = (sets: Int32Array) =>
    subsets.every((t, i) => t.accepting[sets[i] as number] === i < mustCount);
  // A `must` test with no live state can never accept again; a `mustNot` test that accepts
  // every continuation can never be avoided.
  const hopeless = (sets: Int32Array) =>
    subsets.some((t, i) => {
      const id = sets[i] as number;
      return i < mustCount ? (t.sets[id] as number[]).length === 0 : (t.universal[id] as boolean);
    });

  const startSets = Int32Array.from(subsets.map((t, i) => t.id((tests[i] as StringTest).start)));
  const start: SearchNode = { sets: startSets, g: 0, parent: undefined, ch: '' };
  if (hopeless(startSets)) return { value: undefined, gaveUp: false };
  const best = new Map<string, number>([[startSets.join(' '), 0]]);
  const buckets: SearchNode[][] = [];
  const push = (n: SearchNode, f: number) => (buckets[f] ??= []).push(n);
  push(start, h(startSets));
  let f = 0;
  let expanded = 0;
  for (;;) {
    while (f < buckets.length && !(buckets[f] as SearchNode[] | undefined)?.length) f++;
    if (f >= buckets.length) return { value: undefined, gaveUp: false };
    const node = (buckets[f] as SearchNode[]).pop() as SearchNode;
    if ((best.get(node.sets.join(' ')) ?? Infinity) < node.g) continue;
    if (good(node.sets)) return { value: textOf(node, backwards), gaveUp: false };
    if (budget.exhausted) return { value: undefined, gaveUp: true };
    if (performance.now() > budget.deadline) {
      budget.exhausted = 'time';
      return { value: undefined, gaveUp: true };
    }
    if (++expanded % PAUSE_EVERY === 0) yield;
    // The alphabet's first characters claim a state first, and are pushed last so that they
    // are popped first: among the shortest strings, the plainest is found.
    const children: [SearchNode, number][] = [];
    const g = node.g + 1;
    for (let c = 0; c < alphabet.length; c++) {
      const ch = alphabet[c] as string;
      const moved = new Int32Array(subsets.length);
      let dead = false;
      for (let i = 0; i < subsets.length && !dead; i++) {
        const t = subsets[i] as Subsets;
        const id = t.step(node.sets[i] as number, c, ch);
        moved[i] = id;
        dead = i < mustCount ? (t.sets[id] as number[]).length === 0 : (t.universal[id] as boolean);
      }
      if (dead) continue;
      const k = moved.join(' ');
      const seen = best.get(k);
      if (seen !== undefined && seen <= g) continue;
      if (seen === undefined && --budget.states < 0) {
        budget.exhausted = 'states';
        return { value: undefined, gaveUp: true };
      }
      best.set(k, g);
      children.push([{ sets: moved, g, parent: node, ch }, g + h(moved)]);
    }
    for (let c = children.length - 1; c >= 0; c--) push(...(children[c] as [SearchNode, number]));
  }
}

/** Both directions in turn until one answers; yields between turns. */
export function* realizeSteps(
  alphabet: readonly string[],
  must: readonly StringTest[],
  mustNot: readonly StringTest[],
  budget: SearchBudget,
): Generator<void, RealizeResult> {
  const tests = [...must, ...mustNot];
  const runs = [
    directed(alphabet, tests, must.length, budget, false),
    directed(
      alphabet,
      tests.map((t) => t.reversed()),
      must.length,
      budget,
      true,
    ),
  ];
  for (let turn = 0; ; turn = 1 - turn) {
    const step = (runs[turn] as Generator<void, RealizeResult>).next();
    if (step.done) {
      (runs[1 - turn] as Generator<void, RealizeResult>).return({ value: undefined, gaveUp: true });
      return step.value;
    }
    yield;
  }
}

/** A budget for one synchronous call: LIMIT states, no time limit. */
const oneCall = (): SearchBudget => ({ deadline: Infinity, states: LIMIT });

function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/** Runs a search to its end, giving the event loop a turn every `sliceMs` milliseconds. */
export async function finishAsync<T>(steps: Generator<void, T>, sliceMs = 20): Promise<T> {
  let since = performance.now();
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

export function realize(
  alphabet: readonly string[],
  must: readonly StringTest[],
  mustNot: readonly StringTest[],
  budget: SearchBudget = oneCall(),
): RealizeResult {
  return finish(realizeSteps(alphabet, must, mustNot, budget));
}

/**
 * A smallest-found subset of the tests that still cannot hold together (greedy deletion):
 * the solver is told to avoid that combination, not just this one assignment. A trial the
 * budget cuts short keeps its test, so the subset is always contradictory.
 */
export function* unrealizableCoreSteps<T>(
  alphabet: readonly string[],
  must: readonly (readonly [T, StringTest])[],
  mustNot: readonly (readonly [T, StringTest])[],
  budget: SearchBudget,
): Generator<void, { must: T[]; mustNot: T[] }> {
  let m = [...must];
  let n = [...mustNot];
  // Most contradictions are among the `must` tests alone, or the `must` tests and one
  // `mustNot` test: small searches, tried before the deletion of one test at a time.
  const mustOnly = yield* realizeSteps(
    alphabet,
    m.map((x) => x[1]),
    [],
    budget,
  );
  if (mustOnly.value === undefined && !mustOnly.gaveUp) n = [];
  else
    for (const item of mustNot) {
      if (budget.exhausted) break;
      const r = yield* realizeSteps(
        alphabet,
        m.map((x) => x[1]),
        [item[1]],
        budget,
      );
      if (r.value === undefined && !r.gaveUp) {
        n = [item];
        break;
      }
    }
  for (const item of [...m]) {
    if (budget.exhausted) break;
    const trial = m.filter((x) => x !== item);
    const r = yield* realizeSteps(
      alphabet,
      trial.map((x) => x[1]),
      n.map((x) => x[1]),
      budget,
    );
    if (r.value === undefined && !r.gaveUp) m = trial;
  }
  for (const item of n.length > 1 ? [...n] : []) {
    if (budget.exhausted) break;
    const trial = n.filter((x) => x !== item);
    const r = yield* realizeSteps(
      alphabet,
      m.map((x) => x[1]),
      trial.map((x) => x[1]),
      budget,
    );
    if (r.value === undefined && !r.gaveUp) n = trial;
  }
  return { must: m.map((x) => x[0]), mustNot: n.map((x) => x[0]) };
}

export function unrealizableCore<T>(
  alphabet: readonly string[],
  must: readonly (readonly [T, StringTest])[],
  mustNot: readonly (readonly [T, StringTest])[],
  budget: SearchBudget = oneCall(),
): { must: T[]; mustNot: T[] } {
  return finish(unrealizableCoreSteps(alphabet, must, mustNot, budget));
}
