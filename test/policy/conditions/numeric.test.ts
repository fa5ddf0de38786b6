import { describe, expect, it } from 'vitest';
import { parseNumeric } from '../../../src/policy/conditions/numeric.js';
import { conditionRows, num, str, type Row } from '../helpers.js';

const K = 'example:Count';
const rows: Row[] = [
  ['NumericEquals', { NumericEquals: { [K]: '10' } }, { [K]: num(10) }, true],
  ['NumericEquals 10 = 10.0', { NumericEquals: { [K]: '10.0' } }, { [K]: num('10') }, true],
  ['NumericEquals JSON number', { NumericEquals: { [K]: 2.5 } }, { [K]: num('2.50') }, true],
  ['NumericEquals different', { NumericEquals: { [K]: '10' } }, { [K]: num(11) }, false],
  ['NumericEquals absent', { NumericEquals: { [K]: '10' } }, {}, false],
  ['NumericEquals unparseable request', { NumericEquals: { [K]: '10' } }, { [K]: str('ten') }, false],
  ['NumericEquals multi-valued', { NumericEquals: { [K]: '3' } }, { [K]: num(1, 3) }, true],
  ['NumericNotEquals different', { NumericNotEquals: { [K]: '10' } }, { [K]: num(9) }, true],
  ['NumericNotEquals equal', { NumericNotEquals: { [K]: ['1', '10'] } }, { [K]: num(10) }, false],
  ['NumericNotEquals absent', { NumericNotEquals: { [K]: '10' } }, {}, true],
  ['NumericNotEquals unparseable request', { NumericNotEquals: { [K]: '10' } }, { [K]: str('x') }, true],
  ['NumericLessThan below', { NumericLessThan: { [K]: '10' } }, { [K]: num(9.99) }, true],
  ['NumericLessThan equal', { NumericLessThan: { [K]: '10' } }, { [K]: num(10) }, false],
  ['NumericLessThan negative', { NumericLessThan: { [K]: '-1' } }, { [K]: num(-2) }, true],
  ['NumericLessThanEquals equal', { NumericLessThanEquals: { [K]: '10' } }, { [K]: num(10) }, true],
  ['NumericLessThanEquals above', { NumericLessThanEquals: { [K]: '10' } }, { [K]: num(10.01) }, false],
  ['NumericGreaterThan above', { NumericGreaterThan: { [K]: '10' } }, { [K]: num('10.5') }, true],
  ['NumericGreaterThan equal', { NumericGreaterThan: { [K]: '10' } }, { [K]: num(10) }, false],
  ['NumericGreaterThanEquals equal', { NumericGreaterThanEquals: { [K]: '.5' } }, { [K]: num(0.5) }, true],
  ['NumericGreaterThanEquals below', { NumericGreaterThanEquals: { [K]: '1' } }, { [K]: num(0.999) }, false],
  ['NumericGreaterThanEquals absent', { NumericGreaterThanEquals: { [K]: '1' } }, {}, false],
];

describe('numeric operators', () => {
  conditionRows(rows, it);

  it.each([
    ['10', 10],
    ['-3', -3],
    ['+4', 4],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['5.', 5],
    [7, 7],
    ['ten', undefined],
    ['1e3', undefined],
    ['', undefined],
    [' 1', undefined],
    ['0x10', undefined],
    [true, undefined],
  ] as const)('parses %j as %j', (text, want) => {
    expect(parseNumeric(text)).toBe(want);
  });
});
