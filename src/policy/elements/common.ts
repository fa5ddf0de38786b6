/** Helpers shared by the element readers. */
import type { Finding, IssueReason } from '../document.js';
import { indexPath, type JsonValue } from '../json.js';

export type Sink = Finding[];

export function report(sink: Sink, reason: IssueReason, path: string, message: string): void {
  sink.push({ reason, path, message });
}

export function show(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Reads `string | [string, ...]`. Reports an empty list (emptyReason) and non-string or
 * empty-string items (itemReason); returns the usable strings.
 */
export function readStringList(
  v: JsonValue,
  path: string,
  element: string,
  sink: Sink,
  emptyReason: IssueReason,
  itemReason: IssueReason,
): { values: string[]; ok: boolean } {
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 0) {
    report(sink, emptyReason, path, `${element} must not be an empty list`);
    return { values: [], ok: false };
  }
  const values: string[] = [];
  let ok = true;
  items.forEach((item, i) => {
    const p = Array.isArray(v) ? indexPath(path, i) : path;
    if (typeof item !== 'string') {
      report(sink, itemReason, p, `${show(item)} is not a string; ${element} values are strings`);
      ok = false;
    } else if (item === '') {
      report(sink, itemReason, p, `${element} values must not be empty strings`);
      ok = false;
    } else values.push(item);
  });
  return { values, ok };
}
