import { describe, expect, it } from 'vitest';
import {
  ACTION_SHAPE,
  caselessTest,
  globTest,
  literalTest,
  realize,
  unrealizableCore,
  type SearchBudget,
} from '../../src/analysis/strings.js';
import { globMatch } from '../../src/policy/glob.js';
import { foldCase } from '../../src/policy/conditions/string.js';

const ABC = ['a', 'b', 'c', ':', '/', '0'];

describe('realize', () => {
  it('finds the shortest string in every must language and in no mustNot one', () => {
    const r = realize(ABC, [globTest('a*')], [globTest('a'), globTest('ab*')]);
    expect(r).toEqual({ value: 'aa', gaveUp: false });
    expect(realize(ABC, [ACTION_SHAPE, globTest('a*')], [])).toEqual({ value: 'a:a', gaveUp: false });
  });

  it('reads `?` as exactly one character and `*` as any run, agreeing with the engine', () => {
    const v = realize(ABC, [globTest('a?c*'), globTest('*c/*')], [globTest('abc*')]).value!;
    expect(globMatch('a?c*', v) && globMatch('*c/*', v) && !globMatch('abc*', v)).toBe(true);
    expect(realize(ABC, [globTest('a?')], [globTest('a*')]).value).toBeUndefined();
  });

  it('knows when no string exists', () => {
    expect(realize(ABC, [literalTest('ab'), globTest('b*')], [])).toEqual({
      value: undefined,
      gaveUp: false,
    });
    expect(realize(ABC, [globTest('*')], [globTest('*')]).value).toBeUndefined();
  });

  it('matches IgnoreCase tests by lower case, one character for one', () => {
    const alphabet = ['k', 'K', '\u212a', 'x'];
    const r = realize(alphabet, [caselessTest('k')], [literalTest('k'), literalTest('K')]);
    expect(r.value).toBe('\u212a');
  });

  it('keeps only the tests that contradict each other in a core', () => {
    const core = unrealizableCore(
      ABC,
      [
        ['x', globTest('a*')],
        ['y', globTest('*c')],
        ['z', literalTest('b')],
      ],
      [['w', globTest('c*')]],
    );
    // 'b' contradicts both a* and *c: the core keeps it and one of them, and drops c*.
    expect(core.mustNot).toEqual([]);
    expect(core.must).toHaveLength(2);
    expect(core.must).toContain('z');
  });

  it('folds IgnoreCase as the engine does: the whole string (final sigma, U+0130)', () => {
    const chars = [
      '\u03a3',
      '\u03c3',
      '\u03c2',
      '\u0391',
      '\u03b1',
      '.',
      '0',
      'A',
      '\u0130',
      'i',
      'I',
      '\u0307',
    ];
    const patterns = [
      '\u0391\u03a3',
      '\u03b1\u03c3',
      '\u03b1\u03c2',
      '\u03a3',
      '\u03a3.\u03a3',
      'A\u03a3.',
      '\u0130',
      'i\u0307',
      'ai\u0307\u03c3',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const samples = [
      '\u0391\u03a3',
      '\u03b1\u03c3',
      'A\u03a3.',
      'A\u03a3.0',
      '\u0130',
      'I\u0307',
      'a\u0130\u03a3',
    ];
    for (let i = 0; i < 400; i++)
      samples.push(
        Array.from(
          { length: 1 + Math.floor(next() * 4) },
          () => chars[Math.floor(next() * chars.length)],
        ).join(''),
      );
    for (const p of patterns)
      for (const s of samples) {
        // s is in the language exactly when some string passing both tests exists over its characters.
        const inside = realize([...new Set(s)], [caselessTest(p), literalTest(s)], []).value !== undefined;
        expect([p, s, inside]).toEqual([p, s, foldCase(s) === foldCase(p)]);
      }
  });

  it('searches backwards too: a `?` run after `*` is no blow-up', () => {
    const a = globTest(`*a${'?'.repeat(20)}`);
    const b = globTest(`*b${'?'.repeat(20)}`);
    const started = performance.now();
    expect(realize(ABC, [a, b], [])).toEqual({ value: undefined, gaveUp: false });
    const v = realize(ABC, [b], [a]).value!;
    expect(globMatch(`*b${'?'.repeat(20)}`, v) && !globMatch(`*a${'?'.repeat(20)}`, v)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops at its budget of states or time, and says which', () => {
    // Realizable, but not within three states.
    const hard = [globTest(`*a${'?'.repeat(12)}`), globTest(`${'?'.repeat(12)}b*`)];
    expect(realize(ABC, hard, []).value).toBe('aaaaaaaaaaaab');
    const states = { deadline: Infinity, states: 3 } as SearchBudget;
    expect(realize(ABC, hard, [], states)).toEqual({ value: undefined, gaveUp: true });
    expect(states.exhausted).toBe('states');
    const time = { deadline: performance.now(), states: 1e9 } as SearchBudget;
    expect(realize(ABC, [globTest('a*'), ...hard], [globTest('ab*')], time).gaveUp).toBe(true);
    expect(time.exhausted).toBe('time');
  });
});
