import { describe, expect, it } from 'vitest';
import { readJson } from '../../src/policy/json.js';

describe('readJson', () => {
  it.each([
    '{}',
    '[]',
    '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]}',
    ' {"a" : {"b" : [ ] } } ',
    '"s"',
    '0',
  ])('reads %s as JSON.parse does', (text) => {
    const r = readJson(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(JSON.stringify(r.value))).toEqual(JSON.parse(text));
  });

  it.each([
    ['', 'the document is empty'],
    ['{"a":1,}', 'expected a property name, found "}" at offset 7'],
    ['[1,]', 'unexpected "]" at offset 3'],
    ['{"a":01}', "expected ',' or '}', found \"1\" at offset 6"],
    ["{'a':1}", `expected a property name, found "'" at offset 1`],
    ['{"a":"\t"}', 'control character in string at offset 6'],
    ['{"a":1} x', 'unexpected "x" at offset 8 after the end of the document'],
    ['{"a":"\\x"}', 'invalid escape at offset 6'],
    ['[' + '['.repeat(70) + ']'.repeat(71), 'nesting deeper than 64 levels'],
  ])('rejects %j: %s', (text, message) => {
    expect(readJson(text)).toMatchObject({ ok: false, message });
  });

  it('keeps the source text of numbers beyond the range of a double, by path (the first of a repeated key)', () => {
    const r = readJson('{"a":[1e999,2.5,-1e400],"b":1e308,"c":1E999,"c":7e999}');
    expect(r.ok && r.value).toMatchObject({ a: [Infinity, 2.5, -Infinity], b: 1e308, c: Infinity });
    expect(r.ok && [...r.numberTexts]).toEqual([
      ['a[0]', '1e999'],
      ['a[2]', '-1e400'],
      ['c', '1E999'],
    ]);
  });

  it('reports duplicate keys with their paths and keeps the first', () => {
    const r = readJson('{"a":1,"a":2,"S":[{"x":{"k:1":1,"k:1":2}}]}');
    expect(r.ok && r.duplicates).toEqual([
      { path: '', key: 'a' },
      { path: 'S[0].x', key: 'k:1' },
    ]);
    expect(r.ok && (r.value as { a: number }).a).toBe(1);
  });

  it('treats __proto__ as a plain key', () => {
    const r = readJson('{"__proto__":{"polluted":true}}');
    expect(r.ok && Object.keys(r.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
