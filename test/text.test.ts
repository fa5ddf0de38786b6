import { describe, expect, it } from 'vitest';
import { asciiLowerCase, decodeXmlReferences } from '../src/text.js';

describe('asciiLowerCase', () => {
  it('lower-cases A-Z only', () => {
    expect(asciiLowerCase('KaTe-\u212A\u0130')).toBe('kate-\u212A\u0130');
  });
});

describe('decodeXmlReferences', () => {
  it.each([
    ['Tom &amp; Jerry &lt;tj&gt; &quot;x&quot; &apos;y&apos;', 'Tom & Jerry <tj> "x" \'y\''],
    ['&amp;amp;', '&amp;'],
    ['&#x41;&#66;', 'AB'],
    // Anything else stays as written: no such entity, no such character, a bare ampersand.
    ['&nbsp; &#0; &#xD800; a & b', '&nbsp; &#0; &#xD800; a & b'],
    ['&constructor; &toString; &hasOwnProperty;', '&constructor; &toString; &hasOwnProperty;'],
  ])('%j is %j', (raw, text) => {
    expect(decodeXmlReferences(raw)).toBe(text);
  });
});
