import { describe, expect, it } from 'vitest';
import {
  ACTION_SHAPE,
  caselessTest,
  globTest,
  literalTest,
  realize,
  unrealizableCore,
} from '../../src/analysis/strings.js';
import { globMatch } from '../../src/policy/glob.js';

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
});
