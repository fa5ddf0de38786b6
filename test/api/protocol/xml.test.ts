import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toXml } from '../../../src/api/protocol/xml.js';

describe('toXml', () => {
  it('repeats the element of a wrapped list under its wrapper', () => {
    const xml = toXml('ListUsersResponse', {
      RequestId: 'R1',
      IsTruncated: false,
      Users: { User: [{ UserName: 'alice' }, { UserName: 'bob' }] },
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><ListUsersResponse><RequestId>R1</RequestId><IsTruncated>false</IsTruncated>' +
        '<Users><User><UserName>alice</UserName></User><User><UserName>bob</UserName></User></Users></ListUsersResponse>',
    );
  });

  it('writes a one-element list as one element and an empty list as an empty wrapper', () => {
    expect(toXml('R', { Users: { User: [{ UserName: 'a' }] } })).toContain(
      '<Users><User><UserName>a</UserName></User></Users>',
    );
    expect(toXml('R', { Users: { User: [] } })).toContain('<Users></Users>');
  });

  it('leaves out null and undefined, writes numbers and booleans as text', () => {
    expect(toXml('R', { A: null, B: undefined, C: 3, D: true })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><R><C>3</C><D>true</D></R>',
    );
  });

  it('escapes text so that any value round-trips through an XML parser', () => {
    const doc = '{"Statement":[{"Action":"*","Condition":{"StringLike":{"a":"<&>\'\\""}}}]}';
    const parsed = new XMLParser({ parseTagValue: false }).parse(toXml('R', { PolicyDocument: doc })) as {
      R: { PolicyDocument: string };
    };
    expect(parsed.R.PolicyDocument).toBe(doc);
  });

  it.each([
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['&', '&amp;'],
  ])('escapes %s in text', (c, e) => {
    expect(toXml('R', { V: `a${c}b` })).toContain(`<V>a${e}b</V>`);
  });
});
