/** The XML request bodies of the data plane: text as written, XML 1.0 references decoded once. */
import { describe, expect, it } from 'vitest';
import { OssError } from '../../src/oss/errors.js';
import { childText, childrenNamed, decodeText, parseXmlDocument, textOf } from '../../src/oss/xml.js';

const keysOf = (xml: string): string[] =>
  childrenNamed(parseXmlDocument(Buffer.from(xml), 'Delete'), 'Object').map((o) =>
    textOf(childrenNamed(o, 'Key')[0]!),
  );

describe('decodeText', () => {
  it.each([
    ['keep ', 'keep '],
    ['  spaced  ', '  spaced  '],
    ['it&#39;s', "it's"],
    ['it&apos;s', "it's"],
    ['&lt;&gt;&amp;&quot;', '<>&"'],
    ['&amp;#39;', '&#39;'],
    ['&#38;#x41;', '&#x41;'],
    ['&#x1F600;', '😀'],
    ['&#128512;', '😀'],
    ['&#xE000;&#xFFFD;&#9;', '\uE000\uFFFD\t'],
  ])('%j is %j', (raw, text) => {
    expect(decodeText(raw)).toBe(text);
  });

  it.each([
    'a & b',
    '&nbsp;',
    '&#0;',
    '&#xD800;',
    '&#xFFFE;',
    '&#x110000;',
    '&#;',
    '&#x;',
    '&#12345678;',
    '&unknown;',
    '&constructor;',
    '&__proto__;',
    '&toString;',
  ])('%j is MalformedXML', (raw) => {
    expect(() => decodeText(raw)).toThrow(OssError);
    try {
      decodeText(raw);
    } catch (err) {
      expect((err as OssError).code).toBe('MalformedXML');
    }
  });
});

describe('parseXmlDocument', () => {
  it('keeps text as written, CDATA verbatim, and normalizes line ends', () => {
    expect(
      keysOf(
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<Delete>\r\n  <Object><Key>keep </Key></Object>\n' +
          '  <Object><Key><![CDATA[x&amp;<y]]>z</Key></Object><!-- note -->\n' +
          '  <Object><Key>a\r\nb</Key></Object></Delete>',
      ),
    ).toEqual(['keep ', 'x&amp;<yz', 'a\nb']);
  });

  it('reads one child text; a repeated one or one holding elements is MalformedXML', () => {
    const doc = parseXmlDocument(
      Buffer.from('<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>'),
      'Delete',
    );
    expect(childText(doc, 'Quiet')).toBe('true');
    expect(childText(doc, 'Missing')).toBeUndefined();
    expect(() => childText(doc, 'Object')).toThrow(/Object must hold text only/);
    const twice = parseXmlDocument(
      Buffer.from('<Delete><Quiet>true</Quiet><Quiet>false</Quiet></Delete>'),
      'Delete',
    );
    expect(() => childText(twice, 'Quiet')).toThrow(/Delete has more than one Quiet/);
  });

  it.each([
    ['not UTF-8', Buffer.from([0x3c, 0x44, 0x3e, 0xff, 0x3c, 0x2f, 0x44, 0x3e])],
    ['not well-formed', Buffer.from('<Delete><Object></Delete>')],
    ['another root', Buffer.from('<Other/>')],
    ['two roots', Buffer.from('<Delete/><Delete/>')],
    ['text after the root', Buffer.from('<Delete/>tail')],
    [
      'an undefined entity from a DOCTYPE',
      Buffer.from('<!DOCTYPE Delete [<!ENTITY e "x">]><Delete>&e;</Delete>'),
    ],
    ['empty', Buffer.from('')],
  ])('%s: MalformedXML', (_label, body) => {
    let code: string | undefined;
    try {
      const doc = parseXmlDocument(body, 'Delete');
      textOf(doc);
    } catch (err) {
      code = (err as OssError).code;
    }
    expect(code).toBe('MalformedXML');
  });
});
