/**
 * IMS sends list parameters flattened (`Tag.1.Key`, `Tag.1.Value`, `ResourceId.1`,
 * `TagKey.1`), indexes from 1 (reference api-surface.md, "How the official SDKs talk to a
 * server", item 4). These readers collect them from the raw parameters into lists, in index
 * order, and refuse a malformed index, a value without its key, too many items and repeats.
 */
import type { ParamSchema } from '../action.js';
import { invalidParameter } from '../../errors.js';
import type { TagFilterParam, TagParam } from '../params.js';

type Raw = Readonly<Record<string, string>>;

/** The entries `<name>.<n>[.<sub>]` of the request, by index. */
function collect(
  raw: Raw,
  name: string,
  subs: readonly string[] | undefined,
  max: number,
): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const prefix = `${name}.`;
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length).split('.');
    const index = rest[0] ?? '';
    const sub = subs ? rest[1] : undefined;
    if (
      !/^[1-9][0-9]{0,3}$/.test(index) ||
      rest.length !== (subs ? 2 : 1) ||
      (subs && !subs.includes(sub!))
    ) {
      throw invalidParameter(key, `is not a valid ${name} list parameter.`);
    }
    const n = Number(index);
    if (n > max) throw invalidParameter(name, `MUST hold at most ${max} items.`);
    const entry = out.get(n) ?? {};
    entry[sub ?? ''] = value;
    out.set(n, entry);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

const FORBIDDEN_TAG_PREFIX = /^(aliyun|acs:)/i;
const URL_IN_TAG = /https?:\/\//i;

function tagKey(name: string, key: string | undefined, n: number): string {
  if (key === undefined || key.length < 1 || [...key].length > 128) {
    throw invalidParameter(`${name}.${n}.Key`, 'MUST be 1 to 128 characters long.');
  }
  if (FORBIDDEN_TAG_PREFIX.test(key) || URL_IN_TAG.test(key)) {
    throw invalidParameter(
      `${name}.${n}.Key`,
      'MUST NOT start with aliyun or acs: or contain http:// or https://.',
    );
  }
  return key;
}

function tagValue(name: string, value: string, n: number): string {
  if ([...value].length > 256)
    throw invalidParameter(`${name}.${n}.Value`, 'MUST be at most 256 characters long.');
  if (FORBIDDEN_TAG_PREFIX.test(value) || URL_IN_TAG.test(value)) {
    throw invalidParameter(
      `${name}.${n}.Value`,
      'MUST NOT start with aliyun or acs: or contain http:// or https://.',
    );
  }
  return value;
}

/** `Tag.N.Key` / `Tag.N.Value`: up to 20 tags with distinct keys (a missing value is ''). */
export function readTags(raw: Raw, name = 'Tag', max = 20): TagParam[] {
  const seen = new Set<string>();
  return [...collect(raw, name, ['Key', 'Value'], max)].map(([n, e]) => {
    const Key = tagKey(name, e.Key, n);
    if (seen.has(Key)) throw invalidParameter(name, `holds the tag key "${Key}" twice.`);
    seen.add(Key);
    return { Key, Value: tagValue(name, e.Value ?? '', n) };
  });
}

/** `Tag.N.Key` / `Tag.N.Value` as a filter: a key, with a value when given. */
export function readTagFilters(raw: Raw, name = 'Tag', max = 20): TagFilterParam[] {
  return [...collect(raw, name, ['Key', 'Value'], max)].map(([n, e]) => {
    const Key = tagKey(name, e.Key, n);
    return e.Value === undefined ? { Key } : { Key, Value: tagValue(name, e.Value, n) };
  });
}

/** `Name.N` scalars, each checked by `item`; up to `max`, no repeats. */
export function readList(
  raw: Raw,
  name: string,
  max: number,
  item: (value: string, param: string) => string,
): string[] {
  const out: string[] = [];
  for (const [n, e] of collect(raw, name, undefined, max)) {
    const value = item(e[''] ?? '', `${name}.${n}`);
    if (out.includes(value)) throw invalidParameter(name, `holds "${value}" twice.`);
    out.push(value);
  }
  return out;
}

/** A schema of plain parameters plus flattened lists read from the same request. */
export function withLists<P, L extends object>(
  base: ParamSchema<P>,
  lists: (raw: Raw) => L,
): ParamSchema<P & L> {
  return { parse: (raw) => ({ ...base.parse(raw), ...lists(raw) }) };
}
