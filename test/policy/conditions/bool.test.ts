import { describe, expect, it } from 'vitest';
import { parseBool } from '../../../src/policy/conditions/bool.js';
import { bool, conditionRows, str, type Row } from '../helpers.js';

const K = 'acs:SecureTransport';
const rows: Row[] = [
  ['true matches true', { Bool: { [K]: 'true' } }, { [K]: bool(true) }, true],
  ['true does not match false', { Bool: { [K]: 'true' } }, { [K]: bool(false) }, false],
  ['false matches false', { Bool: { [K]: 'false' } }, { [K]: bool(false) }, true],
  ['JSON boolean policy value', { Bool: { [K]: true } }, { [K]: bool(true) }, true],
  ['policy text in any case', { Bool: { [K]: 'TRUE' } }, { [K]: bool(true) }, true],
  ['request text value', { Bool: { [K]: 'true' } }, { [K]: str('True') }, true],
  ['absent key is false (a Deny on "false" does not fire)', { Bool: { [K]: 'false' } }, {}, false],
  ['unparseable request value never matches', { Bool: { [K]: 'true' } }, { [K]: str('yes') }, false],
  ['multi-valued: any', { Bool: { [K]: 'true' } }, { [K]: bool(false, true) }, true],
];

describe('Bool', () => {
  conditionRows(rows, it);
  it.each([
    [true, true],
    ['false', false],
    ['FaLsE', false],
    ['1', undefined],
    [1, undefined],
    ['yes', undefined],
  ] as const)('parses %j as %j', (v, want) => expect(parseBool(v)).toBe(want));
});
