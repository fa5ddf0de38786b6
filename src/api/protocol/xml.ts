import { XMLBuilder } from 'fast-xml-parser';

/**
 * XML responses, the service's default format. Objects become nested elements; an array
 * under a key repeats that key's element, so `{Users: {User: [a, b]}}` is written
 * `<Users><User>a</User><User>b</User></Users>` and an empty list leaves an empty wrapper.
 * null and undefined are left out.
 */
const builder = new XMLBuilder({ format: false, suppressEmptyNode: false, processEntities: true });

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab, line feed and carriage
 * return; lone surrogates; U+FFFE and U+FFFF). They can only reach an answer by echoing input
 * (an unknown name in an error message); each becomes U+FFFD so the document stays readable.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Drops null and undefined values, which have no XML form here, and characters XML cannot carry. */
function prune(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NOT_XML, '\ufffd');
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(prune);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = prune(v);
    return out;
  }
  return value;
}

/** `<?xml ...?><Root>...</Root>` for a response object. */
export function toXml(root: string, body: Readonly<Record<string, unknown>>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [root]: prune(body) }) as string}`;
}
