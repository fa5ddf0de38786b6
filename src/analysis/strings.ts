/**
 * The string side of a proof. Every string test a policy makes (an Action or Resource pattern,
 * StringEquals, StringEqualsIgnoreCase, StringLike) is a regular language; the solver only
 * chooses which tests a request string passes, and `realize` decides whether some string
 * passes exactly those: a breadth-first search over the product of the tests' automata, over
 * the characters the documents mention plus one character standing for every other one (any
 * two unmentioned characters are interchangeable for every test). It returns the shortest
 * such string, or undefined when there is none.
 */

export interface Token {
  readonly match: (ch: string) => boolean;
  /** Zero or more characters that match (a `*`); otherwise exactly one. */
  readonly star: boolean;
}

/** A language: a sequence of tokens. */
export interface StringTest {
  readonly tokens: readonly Token[];
}

const ANY = (): boolean => true;

/** `*` any run (including none), `?` one character, anything else itself. */
export function globTest(pattern: string): StringTest {
  const tokens: Token[] = [];
  for (const ch of pattern) {
    if (ch === '*') tokens.push({ match: ANY, star: true });
    else if (ch === '?') tokens.push({ match: ANY, star: false });
    else tokens.push({ match: (c) => c === ch, star: false });
  }
  return { tokens };
}

export function literalTest(text: string): StringTest {
  return { tokens: [...text].map((ch) => ({ match: (c: string) => c === ch, star: false })) };
}

/** Strings whose lower case is `text`'s lower case, one character for one character. */
export function caselessTest(text: string): StringTest {
  return {
    tokens: [...text.toLowerCase()].map((ch) => ({
      match: (c: string) => c.toLowerCase() === ch,
      star: false,
    })),
  };
}

/** `service:name`: two non-empty parts without ":" around one ":". */
export const ACTION_SHAPE: StringTest = {
  tokens: [
    { match: (c) => c !== ':', star: false },
    { match: (c) => c !== ':', star: true },
    { match: (c) => c === ':', star: false },
    { match: (c) => c !== ':', star: false },
    { match: (c) => c !== ':', star: true },
  ],
};

function closure(test: StringTest, positions: Iterable<number>): number[] {
  const out = new Set<number>();
  const stack = [...positions];
  while (stack.length) {
    const p = stack.pop() as number;
    if (out.has(p)) continue;
    out.add(p);
    if (p < test.tokens.length && (test.tokens[p] as Token).star) stack.push(p + 1);
  }
  return [...out].sort((a, b) => a - b);
}

function step(test: StringTest, state: readonly number[], ch: string): number[] {
  const next: number[] = [];
  for (const p of state) {
    const t = test.tokens[p];
    if (!t || !t.match(ch)) continue;
    next.push(t.star ? p : p + 1);
  }
  return closure(test, next);
}

const accepts = (test: StringTest, state: readonly number[]) => state.includes(test.tokens.length);

export interface RealizeResult {
  /** A string in every `must` language and in no `mustNot` one; undefined when none exists. */
  readonly value: string | undefined;
  /** True when the search stopped at its size limit (value is then undefined). */
  readonly gaveUp: boolean;
}

/** Most product states visited before giving up. */
const LIMIT = 200_000;

export function realize(
  alphabet: readonly string[],
  must: readonly StringTest[],
  mustNot: readonly StringTest[],
): RealizeResult {
  const tests = [...must, ...mustNot];
  const start = tests.map((t) => closure(t, [0]));
  const good = (states: readonly (readonly number[])[]) =>
    states.every((s, i) => (i < must.length ? accepts(tests[i]!, s) : !accepts(tests[i]!, s)));
  const keyOf = (states: readonly (readonly number[])[]) => states.map((s) => s.join(',')).join('|');
  if (good(start)) return { value: '', gaveUp: false };
  const seen = new Set([keyOf(start)]);
  let frontier: { states: number[][]; text: string }[] = [{ states: start, text: '' }];
  while (frontier.length) {
    const next: typeof frontier = [];
    for (const { states, text } of frontier) {
      for (const ch of alphabet) {
        const moved = states.map((s, i) => step(tests[i]!, s, ch));
        // A `must` test with no live position can never accept again.
        if (moved.some((s, i) => i < must.length && s.length === 0)) continue;
        const key = keyOf(moved);
        if (seen.has(key)) continue;
        if (good(moved)) return { value: text + ch, gaveUp: false };
        seen.add(key);
        if (seen.size > LIMIT) return { value: undefined, gaveUp: true };
        next.push({ states: moved, text: text + ch });
      }
    }
    frontier = next;
  }
  return { value: undefined, gaveUp: false };
}

/**
 * A smallest-found subset of the tests that still cannot hold together (greedy deletion):
 * the solver is told to avoid that combination, not just this one assignment.
 */
export function unrealizableCore<T>(
  alphabet: readonly string[],
  must: readonly (readonly [T, StringTest])[],
  mustNot: readonly (readonly [T, StringTest])[],
): { must: T[]; mustNot: T[] } {
  let m = [...must];
  let n = [...mustNot];
  for (const item of [...must]) {
    const trial = m.filter((x) => x !== item);
    const r = realize(
      alphabet,
      trial.map((x) => x[1]),
      n.map((x) => x[1]),
    );
    if (r.value === undefined && !r.gaveUp) m = trial;
  }
  for (const item of [...mustNot]) {
    const trial = n.filter((x) => x !== item);
    const r = realize(
      alphabet,
      m.map((x) => x[1]),
      trial.map((x) => x[1]),
    );
    if (r.value === undefined && !r.gaveUp) n = trial;
  }
  return { must: m.map((x) => x[0]), mustNot: n.map((x) => x[0]) };
}
