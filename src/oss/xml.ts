/**
 * The XML request bodies of the data plane (Delete, CompleteMultipartUpload,
 * CreateBucketConfiguration), read as XML 1.0 says: text exactly as written (no trimming), the
 * five predefined entities and character references (`&#39;`, `&#x1F600;`) decoded once, CDATA
 * kept verbatim, line ends normalized. Anything else (an undefined entity such as `&nbsp;`, a
 * reference to a character XML does not allow, bytes that are not UTF-8, more than one root)
 * is MalformedXML: a key is never guessed.
 */
import { XMLParser } from 'fast-xml-parser';
import { ossError, type OssError } from './errors.js';
import { isXmlChar, PREDEFINED_ENTITIES } from '../text.js';

/** An element: its child elements in document order, and its text (CDATA included). */
export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // References are decoded here (decodeText), once, and never inside CDATA.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

export const malformedXml = (detail?: string): OssError =>
  ossError(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema${detail ? `: ${detail}` : '.'}`,
  );

/** Decodes the references of character data (one pass: `&amp;#39;` is the text `&#39;`). */
export function decodeText(raw: string): string {
  return raw.replace(/&([^;&]*);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw malformedXml(`a bare "&" in text`);
    const named = PREDEFINED_ENTITIES.get(ref);
    if (named !== undefined) return named;
    const m = /^#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}))$/.exec(ref);
    const cp = m ? (m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16)) : NaN;
    if (!isXmlChar(cp)) throw malformedXml(`"${whole.slice(0, 16)}" is not a reference XML 1.0 allows`);
    return String.fromCodePoint(cp);
  });
}

type Node = Record<string, unknown>;

function elementOf(name: string, content: readonly Node[]): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (const node of content) {
    const key = Object.keys(node).find((k) => k !== ':@');
    if (key === undefined || key === '#comment') continue;
    if (key === '#text') text += decodeText(String(node[key]));
    else if (key === '#cdata') {
      for (const part of node[key] as Node[]) text += String(part['#text'] ?? '');
    } else if (key.startsWith('?')) throw malformedXml('a processing instruction inside an element');
    else children.push(elementOf(key, node[key] as Node[]));
  }
  return { name, children, text };
}

/** Parses a request body whose root element must be `root`; MalformedXML otherwise. */
export function parseXmlDocument(body: Buffer, root: string): XmlElement {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformedXml('the body is not UTF-8');
  }
  // XML 1.0 section 2.11: CR LF and lone CR are read as LF.
  text = text.replace(/\r\n?/g, '\n');
  // The parser drops text after a self-closing root (`<Delete/>tail`): a document ends with markup.
  if (!text.trimEnd().endsWith('>')) throw malformedXml('text after the root element');
  let nodes: Node[];
  try {
    nodes = parser.parse(text, true) as Node[];
  } catch {
    throw malformedXml();
  }
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const key = Object.keys(node).find((k) => k !== ':@');
    if (key === undefined || key === '#comment' || key === '?xml') continue;
    if (key === '#text') {
      if (/^[ \t\n]*$/.test(String(node[key]))) continue;
      throw malformedXml('text outside the root element');
    }
    if (key === '#cdata' || key.startsWith('?')) throw malformedXml();
    elements.push(elementOf(key, node[key] as Node[]));
  }
  if (elements.length !== 1) throw malformedXml('a document has exactly one root element');
  if (elements[0]!.name !== root) throw malformedXml(`the root element must be ${root}`);
  return elements[0]!;
}

/** The child elements of that name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The text of the one child element of that name: undefined when absent, MalformedXML when repeated or not text. */
export function childText(el: XmlElement, name: string): string | undefined {
  const found = childrenNamed(el, name);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw malformedXml(`${el.name} has more than one ${name}`);
  return textOf(found[0]!);
}

/** The text of an element that holds text only; MalformedXML when it holds elements. */
export function textOf(el: XmlElement): string {
  if (el.children.length > 0) throw malformedXml(`${el.name} must hold text only`);
  return el.text;
}
