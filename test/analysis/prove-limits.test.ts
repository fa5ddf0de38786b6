/**
 * Cases a probe of `policy diff --prove` found (F1, F5, F6, F10): each verdict is checked
 * against the engine, which decides every witness and the requests the probe used.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeSolver } from '../../src/analysis/solver.js';
import { decimalText, provePolicyChange, witnessRequest, type Witness } from '../../src/analysis/prove.js';
import { evaluate, type RequestContext } from '../../src/policy/index.js';

afterAll(closeSolver);

const doc = (...statements: object[]) => ({ Version: '1', Statement: statements });
const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*', ...extra });
const decide = (d: object, context: RequestContext, resource = 'acs:oss:*:1:b') =>
  evaluate(
    { identity: [{ name: 'p', document: d }] },
    witnessRequest({ action: 'oss:GetObject', resource, context }),
  ).decision;
const confirmed = (before: object, after: object, w: Witness | undefined, newAllows: boolean) => {
  expect(w?.confirmed).toBe(true);
  const req = witnessRequest(w!);
  const d = (x: object) => evaluate({ identity: [{ name: 'p', document: x }] }, req).decision;
  expect([d(before) === 'Allow', d(after) === 'Allow']).toEqual([!newAllows, newAllows]);
};

describe('F1: the time limit covers the whole question, string search included', () => {
  const glob = (letter: string) =>
    doc({ Effect: 'Allow', Action: 'oss:*', Resource: `acs:oss:*:*:*${letter}${'?'.repeat(14)}` });

  it('decides `*a??????????????` against `*b??????????????` quickly, with witnesses', async () => {
    const [before, after] = [glob('a'), glob('b')];
    const started = performance.now();
    const r = await provePolicyChange(before, after, { timeoutMs: 2000 });
    // Before: the forward search's 200,000-state limit after about 10 s, and `unknown`.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(r.verdict).toBe('widens-and-narrows');
    for (const w of [r.widening!, r.narrowing!]) {
      expect(w.confirmed).toBe(true);
      expect(w.resource).toMatch(/^acs:oss:/);
    }
    expect(r.widening!.resource.at(-15)).toBe('b');
    expect(r.approximations).toEqual([]);
  });

  // 20 statements with such patterns (the probe's 2 KB pair took 53 s and 2.6 GB).
  const many = (shift: number) =>
    doc(
      ...Array.from({ length: 20 }, (_, i) => ({
        Effect: i % 3 === shift ? 'Deny' : 'Allow',
        Action: 'oss:*',
        Resource: `acs:oss:*:*:*${String.fromCharCode(97 + ((i + shift) % 26))}${'?'.repeat(6 + (i % 5))}`,
      })),
    );

  it('says which limit left a question undecided: states', async () => {
    const started = performance.now();
    const r = await provePolicyChange(many(0), many(1), { maxStates: 50 });
    expect(performance.now() - started).toBeLessThan(4000);
    expect(r.verdict).toBe('unknown');
    expect(r.approximations.join('\n')).toMatch(
      /question was not decided within the string search's limit of 50 states/,
    );
    expect(r.approximations.join('\n')).not.toMatch(/time limit/);
  });

  it('says which limit left a question undecided: time, and keeps to it', async () => {
    const started = performance.now();
    const r = await provePolicyChange(many(0), many(1), { timeoutMs: 1 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.verdict).toBe('unknown');
    expect(r.approximations).toContain('the widening question was not decided within its time limit (1 ms)');
  });

  it('decides the 20-statement pair within the limit, and the event loop keeps turning', async () => {
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 10);
    const r = await provePolicyChange(many(0), many(1), { timeoutMs: 5000 });
    clearInterval(timer);
    expect(r.verdict).toBe('widens-and-narrows');
    confirmed(many(0), many(1), r.widening, true);
    expect(ticks).toBeGreaterThan(0);
    expect(longest).toBeLessThan(1000);
  });
});

describe('F5: dates over the engine range and precision', () => {
  const at = (v: string | number) => ({ 'acs:CurrentTime': { type: 'Date' as const, values: [v] } });

  it('finds a request between two milliseconds', async () => {
    const before = doc(
      allow({ Condition: { DateGreaterThanEquals: { 'acs:CurrentTime': '2026-01-01T00:00:00.001Z' } } }),
    );
    const after = doc(
      allow({ Condition: { DateGreaterThan: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } } }),
    );
    // The engine's view (the probe's request).
    expect([
      decide(before, at('2026-01-01T00:00:00.0005Z')),
      decide(after, at('2026-01-01T00:00:00.0005Z')),
    ]).toEqual(['ImplicitDeny', 'Allow']);
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens');
    confirmed(before, after, r.widening, true);
  });

  it('finds requests after the year 9999 (epoch seconds) and before 0000 (an offset)', async () => {
    const y10k = doc(allow({ Condition: { DateLessThan: { 'acs:CurrentTime': 253402300800 } } }));
    const since2020 = doc(
      allow({ Condition: { DateGreaterThanEquals: { 'acs:CurrentTime': '2020-01-01T00:00:00Z' } } }),
    );
    expect([decide(y10k, at('300000000000')), decide(since2020, at('300000000000'))]).toEqual([
      'ImplicitDeny',
      'Allow',
    ]);
    const r = await provePolicyChange(y10k, since2020);
    expect(r.verdict).toBe('widens-and-narrows');
    confirmed(y10k, since2020, r.widening, true);
    confirmed(y10k, since2020, r.narrowing, false);

    const since0 = doc(
      allow({ Condition: { DateGreaterThanEquals: { 'acs:CurrentTime': '0000-01-01T00:00:00Z' } } }),
    );
    const before2020 = doc(
      allow({ Condition: { DateLessThan: { 'acs:CurrentTime': '2020-01-01T00:00:00Z' } } }),
    );
    const early = await provePolicyChange(since0, before2020);
    expect(early.verdict).toBe('widens-and-narrows');
    confirmed(since0, before2020, early.widening, true);
    expect(early.approximations).toEqual([]);
  });
});

describe('F6: IgnoreCase folds the whole string, as toLowerCase() does', () => {
  it('sees that a final capital sigma is matched by a Deny on "ΟΔΥΣΣΕΑΣ"', async () => {
    const before = doc(
      { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'oss:*',
        Resource: '*',
        Condition: { StringEqualsIgnoreCase: { 'acs:ResourceTag/project': 'ΟΔΥΣΣΕΑΣ' } },
      },
    );
    const after = doc({ Effect: 'Allow', Action: 'oss:*', Resource: '*' });
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens');
    expect(r.widening!.confirmed).toBe(true);
    const req = witnessRequest(r.widening!);
    expect(evaluate({ identity: [{ name: 'p', document: before }] }, req).decision).toBe('ExplicitDeny');
  });

  it('tells StringLike "?ς" from IgnoreCase "ΑΣ", and finds İ for "i̇"', async () => {
    const like = doc(allow({ Condition: { StringLike: { 'acs:ResourceTag/team': '?ς' } } }));
    const caseless = doc(allow({ Condition: { StringEqualsIgnoreCase: { 'acs:ResourceTag/team': 'ΑΣ' } } }));
    const r = await provePolicyChange(like, caseless);
    expect(r.verdict).toBe('widens-and-narrows');
    confirmed(like, caseless, r.widening, true);
    confirmed(like, caseless, r.narrowing, false);

    const exact = doc(
      allow({ Condition: { StringEquals: { 'acs:ResourceTag/t': ['i\u0307', 'I\u0307'] } } }),
    );
    const folded = doc(allow({ Condition: { StringEqualsIgnoreCase: { 'acs:ResourceTag/t': 'i\u0307' } } }));
    const dotted = await provePolicyChange(exact, folded);
    expect(dotted.verdict).toBe('widens');
    expect(dotted.widening!.context['acs:ResourceTag/t']!.values).toEqual(['\u0130']);
    confirmed(exact, folded, dotted.widening, true);
    expect(dotted.approximations).toEqual([]);
  });
});

describe('F10: numeric witnesses keep every digit', () => {
  it('prints a value below 1e-30 exactly', async () => {
    const before = doc(
      allow({ Condition: { NumericGreaterThan: { 'ex:n': '0.0000000000000000000000000000001' } } }),
    );
    const after = doc(allow({ Condition: { NumericGreaterThan: { 'ex:n': '0' } } }));
    const r = await provePolicyChange(before, after);
    expect(r.verdict).toBe('widens');
    confirmed(before, after, r.widening, true);
  });

  it('writes exact decimals, and 40 significant digits of a repeating one', () => {
    expect(decimalText(1n, 10n ** 31n)).toBe(`0.${'0'.repeat(30)}1`);
    expect(decimalText(-5n, 2n)).toBe('-2.5');
    expect(Number(decimalText(1n, 3n * 10n ** 40n))).toBe(1 / 3e40);
    expect(decimalText(1n, 3n)).toBe(`0.${'3'.repeat(40)}`);
  });
});
