import { describe, expect, it } from 'vitest';
import { OPERATOR_NAMES } from '../../../src/policy/index.js';
import { conditionRows, str, type Row } from '../helpers.js';

const K = 'acs:TagKeys';
const rows: Row[] = [
  [
    'ForAllValues: every value in the list',
    { 'ForAllValues:StringEquals': { [K]: ['env', 'team'] } },
    { [K]: str('env', 'team') },
    true,
  ],
  [
    'ForAllValues: one value outside',
    { 'ForAllValues:StringEquals': { [K]: ['env'] } },
    { [K]: str('env', 'x') },
    false,
  ],
  ['ForAllValues: absent key is true', { 'ForAllValues:StringEquals': { [K]: ['env'] } }, {}, true],
  [
    'ForAllValues with a negated operator: none in the list',
    { 'ForAllValues:StringNotEquals': { [K]: ['secret'] } },
    { [K]: str('a', 'b') },
    true,
  ],
  [
    'ForAllValues with a negated operator: one in the list',
    { 'ForAllValues:StringNotEquals': { [K]: ['secret'] } },
    { [K]: str('a', 'secret') },
    false,
  ],
  [
    'ForAnyValue: one value matches',
    { 'ForAnyValue:StringLike': { [K]: 'env*' } },
    { [K]: str('x', 'environment') },
    true,
  ],
  ['ForAnyValue: none matches', { 'ForAnyValue:StringLike': { [K]: 'env*' } }, { [K]: str('x') }, false],
  ['ForAnyValue: absent key is false', { 'ForAnyValue:StringLike': { [K]: 'env*' } }, {}, false],
  [
    'ForAnyValue with a negated operator: some value outside',
    { 'ForAnyValue:StringNotEquals': { [K]: 'a' } },
    { [K]: str('a', 'b') },
    true,
  ],
  [
    'ForAnyValue:NumericLessThan',
    { 'ForAnyValue:NumericLessThan': { 'example:n': 5 } },
    { 'example:n': { type: 'Numeric', values: [9, 4] } },
    true,
  ],
  [
    'ForAllValues:IpAddress',
    { 'ForAllValues:IpAddress': { 'acs:SourceIp': '10.0.0.0/8' } },
    { 'acs:SourceIp': { type: 'IP', values: ['10.1.1.1', '11.1.1.1'] } },
    false,
  ],
  [
    'blocks ANDed',
    { StringEquals: { a: 'x' }, StringLike: { b: 'y*' } },
    { a: str('x'), b: str('yes') },
    true,
  ],
  [
    'blocks ANDed: one fails',
    { StringEquals: { a: 'x' }, StringLike: { b: 'y*' } },
    { a: str('x'), b: str('no') },
    false,
  ],
  ['keys in one block ANDed', { StringEquals: { a: 'x', b: 'y' } }, { a: str('x'), b: str('z') }, false],
  [
    'key names are case-insensitive',
    { IpAddress: { 'ACS:SOURCEIP': '10.0.0.0/8' } },
    { 'acs:SourceIp': { type: 'IP', values: ['10.0.0.1'] } },
    true,
  ],
  [
    'tag key part is case-sensitive',
    { StringEquals: { 'acs:RequestTag/Env': 'dev' } },
    { 'acs:requesttag/env': str('dev') },
    false,
  ],
  [
    'tag prefix is case-insensitive',
    { StringEquals: { 'acs:RequestTag/Env': 'dev' } },
    { 'ACS:REQUESTTAG/Env': str('dev') },
    true,
  ],
  [
    'a key spelled twice in the context: values merged',
    { StringEquals: { 'example:k': 'b' } },
    { 'example:k': str('a'), 'EXAMPLE:K': str('b') },
    true,
  ],
];

describe('set qualifiers, combination and key names', () => {
  it('has the 21 operators of RAM', () => {
    expect(OPERATOR_NAMES).toHaveLength(21);
  });
  conditionRows(rows, it);
});
