/**
 * A small JSON reader (RFC 8259) that, unlike JSON.parse, reports duplicate keys.
 * Objects are built without a prototype so that a key such as "__proto__" is plain data.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface DuplicateKey {
  /** Path of the object holding the key, in policy path notation. */
  readonly path: string;
  readonly key: string;
}

/**
 * The source text of each number beyond the range of a double (`1e999`, read as Infinity), by
 * path: JSON cannot write such a value back (JSON.stringify gives `null`), so messages quote it
 * as written.
 */
export type NumberTexts = ReadonlyMap<string, string>;

/** A value as JSON text, for messages; a number beyond a double's range as it was written. */
export function jsonText(v: JsonValue, path: string, numberTexts: NumberTexts): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return numberTexts.get(path) ?? String(v);
  return JSON.stringify(v);
}

export type JsonReadResult =
  | {
      readonly ok: true;
      readonly value: JsonValue;
      readonly duplicates: readonly DuplicateKey[];
      readonly numberTexts: NumberTexts;
    }
  | { readonly ok: false; readonly message: string; readonly offset: number };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends a property name to a path: `a.b` or `a["x:y"]`. */
export function childPath(path: string, key: string): string {
  if (IDENT.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

export function readJson(text: string): JsonReadResult {
  const duplicates: DuplicateKey[] = [];
  const numberTexts = new Map<string, string>();
  let i = 0;
  const n = text.length;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const describe = (): string => (i >= n ? 'end of text' : `${JSON.stringify(text[i])} at offset ${i}`);

  const readString = (): string => {
    // text[i] is the opening quote
    i++;
    let out = '';
    let start = i;
    while (true) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail(`control character in string at offset ${i}`);
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`invalid \\u escape at offset ${i}`);
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail(`invalid escape at offset ${i}`);
        }
        i += 2;
        start = i;
        continue;
      }
      i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const readNumber = (path: string): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0].length === 0 || m[0] === '-') fail(`invalid number at offset ${i}`);
    i += m![0].length;
    const value = Number(m![0]);
    // A path read twice (a duplicate key) keeps its first value, and so its first text.
    if (!Number.isFinite(value) && !numberTexts.has(path)) numberTexts.set(path, m![0]);
    return value;
  };

  const readValue = (path: string, depth: number): JsonValue => {
    if (depth > 64) fail('nesting deeper than 64 levels');
    ws();
    if (i >= n) fail('unexpected end of text');
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = Object.create(null) as JsonObject;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      while (true) {
        ws();
        if (text[i] !== '"') fail(`expected a property name, found ${describe()}`);
        const key = readString();
        ws();
        if (text[i] !== ':') fail(`expected ':' after property name, found ${describe()}`);
        i++;
        const value = readValue(childPath(path, key), depth + 1);
        if (Object.prototype.hasOwnProperty.call(obj, key)) duplicates.push({ path, key });
        else obj[key] = value;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}', found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      while (true) {
        arr.push(readValue(indexPath(path, arr.length), depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']', found ${describe()}`);
      }
    }
    if (c === '"') return readString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return readNumber(path);
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail(`unexpected ${describe()}`);
  };

  try {
    ws();
    if (i >= n) return { ok: false, message: 'the document is empty', offset: 0 };
    const value = readValue('', 0);
    ws();
    if (i < n) fail(`unexpected ${describe()} after the end of the document`);
    return { ok: true, value, duplicates, numberTexts };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { ok: false, message: err.message, offset: err.offset };
    throw err;
  }
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
