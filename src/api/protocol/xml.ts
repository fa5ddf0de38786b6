/**
 * A small XML writer for RPC responses. Objects become nested elements; an array under a
 * key repeats that key's element, so `{Users: {User: [a, b]}}` is written
 * `<Users><User>a</User><User>b</User></Users>`. null and undefined are left out.
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function element(name: string, value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  const tag = NAME.test(name) ? name : 'Item';
  if (Array.isArray(value)) {
    for (const item of value) element(tag, item, out);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${tag}>`);
    for (const [k, v] of Object.entries(value)) element(k, v, out);
    out.push(`</${tag}>`);
    return;
  }
  out.push(`<${tag}>${escapeXml(String(value))}</${tag}>`);
}

/** `<?xml ...?><Root>...</Root>` for a response object. */
export function toXml(root: string, body: Readonly<Record<string, unknown>>): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  element(root, body, out);
  return out.join('');
}
