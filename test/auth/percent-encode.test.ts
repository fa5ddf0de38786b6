import { describe, expect, it } from 'vitest';
import {
  formDecode,
  parseFormEncoded,
  parseUrlEncoded,
  percentDecode,
} from '../../src/auth/percent-encode.js';

describe('formDecode (RPC query and form values)', () => {
  it.each([
    ['a+b', 'a b'],
    ['a%20b', 'a b'],
    ['a%2Bb', 'a+b'],
    ['a%2bb+c', 'a+b c'],
    ['+++', '   '],
    ['%7B%22k%22:+1%7D', '{"k": 1}'],
    ['%E4%B8%AD+%E6%96%87', '中 文'],
    ['100%+', '100% '],
    ['plain', 'plain'],
  ])('%s -> %j', (wire, plain) => {
    expect(formDecode(wire)).toBe(plain);
  });
});

describe('parseFormEncoded and parseUrlEncoded', () => {
  it('read + as a space in RPC query and form text, %2B as a plus sign', () => {
    expect(parseFormEncoded('Comments=hello+world&UserName=a%2Bb&Display+Name=x&Empty=&Flag')).toEqual([
      ['Comments', 'hello world'],
      ['UserName', 'a+b'],
      ['Display Name', 'x'],
      ['Empty', ''],
      ['Flag', ''],
    ]);
  });

  it('keep + a plus sign for the OSS query and paths, as before', () => {
    expect(parseUrlEncoded('response-content-type=a+b&x=%20')).toEqual([
      ['response-content-type', 'a+b'],
      ['x', ' '],
    ]);
    expect(percentDecode('dir/file+1.txt')).toBe('dir/file+1.txt');
  });
});

describe('parseFormEncoded with a bound', () => {
  it('reads at most max pairs and leaves the rest of the text unread', () => {
    expect(parseFormEncoded('a=1&&b=2&c=3&d=4', 2)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(parseFormEncoded('a=1&b=2', 5)).toHaveLength(2);
    expect(parseFormEncoded('', 5)).toEqual([]);
    expect(parseFormEncoded('a=1', 0)).toEqual([]);
  });
});
