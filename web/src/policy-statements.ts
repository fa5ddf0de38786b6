/**
 * A policy document's statements and their conditions as the visual editor edits them: the
 * rows of a Condition block (operator, key, values), the block written back from rows in the
 * shape it was read (one value as a string, several as a list; booleans and numbers keep their
 * JSON type), and the document with one statement's conditions replaced or a statement added.
 * Pure functions of the JSON text.
 */
export type Scalar = string | number | boolean;

/** One condition: an operator, a key and its values, as the editor shows them. */
export interface ConditionRow {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  /** How the values were written (a list, or one scalar), and the JSON values read. */
  readonly list: boolean;
  readonly raw: readonly Scalar[];
}

const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The rows of a statement's Condition block (empty when it has none or it is not an object). */
export function conditionRows(condition: unknown): ConditionRow[] {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return [];
  const rows: ConditionRow[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object' || Array.isArray(block)) continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(value);
      const raw = (list ? (value as unknown[]) : [value]).filter(isScalar);
      rows.push({ operator, key, values: raw.map(String), list, raw });
    }
  }
  return rows;
}

/** A value as written back: the JSON value it was read as when its text did not change. */
function valueOf(row: ConditionRow, text: string): Scalar {
  return row.raw.find((r) => typeof r !== 'string' && String(r) === text) ?? text;
}

/**
 * The Condition block of rows, or undefined when no row is complete. A row without a key or
 * a value is a draft and is not written; rows with the same operator and key are merged.
 */
export function conditionBlock(
  rows: readonly ConditionRow[],
): Record<string, Record<string, unknown>> | undefined {
  const out: Record<string, Record<string, unknown>> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (row.operator === '' || key === '' || row.values.length === 0) continue;
    const values = row.values.map((v) => valueOf(row, v));
    const block = (out[row.operator] ??= {});
    const before = block[key];
    if (before !== undefined) {
      block[key] = [...(Array.isArray(before) ? before : [before]), ...values];
      continue;
    }
    block[key] = values.length === 1 && !row.list ? values[0] : values;
  }
  return Object.keys(out).length ? out : undefined;
}

interface Doc {
  Version?: string;
  Statement?: unknown;
  [k: string]: unknown;
}

export function parseDoc(text: string): Doc | undefined {
  try {
    const d = JSON.parse(text) as unknown;
    return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Doc) : undefined;
  } catch {
    return undefined;
  }
}

export type StatementJson = Record<string, unknown>;

export function statementsOf(doc: Doc | undefined): StatementJson[] {
  const s = doc?.Statement;
  const list = Array.isArray(s) ? s : s !== undefined ? [s] : [];
  return list.map((x) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as StatementJson) : {},
  );
}

/** The document with statement `index`'s Condition replaced by the rows (removed when none). */
export function withConditions(text: string, index: number, rows: readonly ConditionRow[]): string {
  const doc = parseDoc(text);
  if (!doc) return text;
  const statements = statementsOf(doc);
  const s = statements[index];
  if (!s) return text;
  const block = conditionBlock(rows);
  // Keep the Condition where it was among the statement's elements (else last).
  const next: StatementJson = {};
  let placed = false;
  for (const [k, v] of Object.entries(s)) {
    if (k === 'Condition') {
      if (block) next.Condition = block;
      placed = true;
    } else next[k] = v;
  }
  if (!placed && block) next.Condition = block;
  statements[index] = next;
  return JSON.stringify({ ...doc, Statement: statements }, null, 2);
}

/** The document with one more statement. */
export function withStatement(
  text: string,
  effect: string,
  actions: string[],
  resources: string[],
  rows: readonly ConditionRow[],
): string {
  const doc = parseDoc(text) ?? { Version: '1', Statement: [] };
  const block = conditionBlock(rows);
  return JSON.stringify(
    {
      ...doc,
      Version: doc.Version ?? '1',
      Statement: [
        ...statementsOf(doc),
        {
          Effect: effect,
          Action: actions.length === 1 ? actions[0] : actions,
          Resource: resources.length === 1 ? resources[0] : resources,
          ...(block ? { Condition: block } : {}),
        },
      ],
    },
    null,
    2,
  );
}

export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A string or a list of strings as one line of text. */
export const listText = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join(', ') : v === undefined ? '' : String(v);
