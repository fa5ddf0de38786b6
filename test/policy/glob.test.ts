import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatch } from '../../src/policy/glob.js';

describe('wildcards', () => {
  it.each([
    ['*', '', true],
    ['a*', 'a', true],
    ['*a', 'ba', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'acb', false],
    ['a*bc*bc', 'abcbc', true],
    ['a*bc*bc', 'abc', false],
    ['acs:oss:*:*:b/*', 'acs:oss:*:1:b/x/y', true],
    ['acs:oss:*:*:b', 'acs:oss:*:1:b/x', false],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*?', '', false],
    ['x**y', 'xy', true],
  ])('%s on %j is %s', (p, s, want) => {
    expect(globMatch(p, s)).toBe(want);
    expect(compileGlob(p)(s)).toBe(want);
  });

  it('the compiled matcher agrees with the reference matcher', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', 'é', '😀'), maxLength: 10 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', ':', '*', '*', '?', '😀'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, text, (p, s) => compileGlob(p)(s) === globMatch(p, s)),
      { numRuns: 20000 },
    );
  });
});
