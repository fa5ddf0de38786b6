/**
 * The visual statement editor: the statements of a policy document with their conditions,
 * each condition an operator, a key and one or more values that can be added, edited and
 * removed, and a builder that adds a statement (Effect, actions, resources, conditions). It
 * edits the document's JSON text and nothing else: a condition is written back in the shape
 * it was read (one value as a string, several as a list; booleans and numbers keep their JSON
 * type), so opening a document and saving it keeps its conditions as they were.
 */
import { AutoComplete, Button, Card, Input, Radio, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { OPERATOR_NAMES } from '../../../src/policy/index';

type Scalar = string | number | boolean;

/** One condition: an operator, a key and its values, as the editor shows them. */
export interface ConditionRow {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  /** How the values were written (a list, or one scalar), and the JSON values read. */
  readonly list: boolean;
  readonly raw: readonly Scalar[];
}

/** The keys offered while typing (any key can be typed). */
export const SUGGESTED_KEYS: readonly string[] = [
  'acs:SourceIp',
  'acs:CurrentTime',
  'acs:SecureTransport',
  'acs:MFAPresent',
  'acs:UserAgent',
  'acs:Referer',
  'acs:SourceVpc',
  'acs:PrincipalARN',
  'acs:RequestTag/',
  'acs:ResourceTag/',
  'acs:TagKeys',
  'oss:Prefix',
  'oss:Delimiter',
];

const OPERATORS: readonly string[] = [
  ...OPERATOR_NAMES,
  ...OPERATOR_NAMES.map((o) => `ForAnyValue:${o}`),
  ...OPERATOR_NAMES.map((o) => `ForAllValues:${o}`),
];

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

function parseDoc(text: string): Doc | undefined {
  try {
    const d = JSON.parse(text) as unknown;
    return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Doc) : undefined;
  } catch {
    return undefined;
  }
}

type StatementJson = Record<string, unknown>;

function statementsOf(doc: Doc | undefined): StatementJson[] {
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

function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const listText = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join(', ') : v === undefined ? '' : String(v);

/** The condition rows of one statement, each editable and removable, and a button to add one. */
export function ConditionEditor({
  rows,
  onChange,
}: {
  rows: readonly ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
}) {
  const set = (i: number, change: Partial<ConditionRow>): void =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="conditions">
      {rows.map((r, i) => (
        <Space key={i} wrap align="start" data-testid="condition">
          <Select
            aria-label="Condition operator"
            showSearch
            style={{ width: 260 }}
            value={r.operator || undefined}
            placeholder="Operator"
            onChange={(v: string) => set(i, { operator: v })}
            options={[
              ...(OPERATORS.includes(r.operator) || r.operator === '' ? [] : [r.operator]),
              ...OPERATORS,
            ].map((o) => ({ value: o, label: o }))}
          />
          <AutoComplete
            aria-label="Condition key"
            style={{ width: 220 }}
            value={r.key}
            placeholder="Key, e.g. acs:SourceIp"
            onChange={(v: string) => set(i, { key: v })}
            options={SUGGESTED_KEYS.map((k) => ({ value: k }))}
            filterOption={(input, option) =>
              String(option?.value ?? '')
                .toLowerCase()
                .includes(input.toLowerCase())
            }
          />
          <Select
            aria-label="Condition values"
            mode="tags"
            style={{ minWidth: 260 }}
            value={[...r.values]}
            placeholder="Values (Enter after each)"
            tokenSeparators={[',', ' ']}
            onChange={(v: string[]) => set(i, { values: v, list: r.list || v.length > 1 })}
          />
          <Button onClick={() => onChange(rows.filter((_, j) => j !== i))}>Remove condition</Button>
        </Space>
      ))}
      <Button
        size="small"
        onClick={() =>
          onChange([...rows, { operator: 'StringEquals', key: '', values: [], list: false, raw: [] }])
        }
      >
        Add a condition
      </Button>
    </Space>
  );
}

/** Adds a statement (Effect, actions, resources and conditions) to the document. */
function StatementBuilder({
  onAdd,
}: {
  onAdd: (effect: string, actions: string[], resources: string[], rows: ConditionRow[]) => void;
}) {
  const [effect, setEffect] = useState('Allow');
  const [actions, setActions] = useState('');
  const [resources, setResources] = useState('*');
  const [rows, setRows] = useState<ConditionRow[]>([]);
  return (
    <Card size="small" title="Add a statement" data-testid="new-statement">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Radio.Group value={effect} onChange={(e) => setEffect(e.target.value as string)} aria-label="Effect">
          <Radio.Button value="Allow">Allow</Radio.Button>
          <Radio.Button value="Deny">Deny</Radio.Button>
        </Radio.Group>
        <Input
          aria-label="Actions"
          placeholder="Actions, e.g. ram:ListUsers ram:GetUser"
          value={actions}
          onChange={(e) => setActions(e.target.value)}
        />
        <Input
          aria-label="Resources"
          placeholder="Resources, e.g. acs:ram:*:*:user/*"
          value={resources}
          onChange={(e) => setResources(e.target.value)}
        />
        <Typography.Text type="secondary">Conditions (all must hold)</Typography.Text>
        <ConditionEditor rows={rows} onChange={setRows} />
        <Button
          disabled={splitList(actions).length === 0 || splitList(resources).length === 0}
          onClick={() => {
            onAdd(effect, splitList(actions), splitList(resources), rows);
            setRows([]);
          }}
        >
          Add the statement
        </Button>
      </Space>
    </Card>
  );
}

/**
 * The document's statements with their conditions, and the builder of a new statement. The
 * condition rows are kept as drafts while edited (a row without a key or value is not written
 * yet), and read again from the text whenever the text changes from elsewhere.
 */
export function StatementEditor({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  const doc = parseDoc(value);
  const statements = statementsOf(doc);
  const [drafts, setDrafts] = useState<ConditionRow[][]>(() =>
    statements.map((s) => conditionRows(s.Condition)),
  );
  const written = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (value === written.current) return;
    setDrafts(statementsOf(parseDoc(value)).map((s) => conditionRows(s.Condition)));
  }, [value]);
  const emit = (text: string): void => {
    written.current = text;
    onChange(text);
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="statement-editor">
      {!doc ? (
        <Typography.Text type="warning">
          The document does not parse: fix its JSON to edit its statements here.
        </Typography.Text>
      ) : null}
      {statements.map((s, i) => (
        <Card
          key={i}
          size="small"
          data-testid={`statement-${i + 1}`}
          title={
            <Space>
              <span>Statement {i + 1}</span>
              {typeof s.Sid === 'string' ? <Tag>{s.Sid}</Tag> : null}
              <Tag color={s.Effect === 'Deny' ? 'red' : 'green'}>{String(s.Effect ?? '?')}</Tag>
            </Space>
          }
        >
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              {s.NotAction !== undefined ? 'NotAction' : 'Action'}:{' '}
              <code>{listText(s.Action ?? s.NotAction)}</code>
            </Typography.Text>
            <Typography.Text>
              {s.NotResource !== undefined ? 'NotResource' : 'Resource'}:{' '}
              <code>{listText(s.Resource ?? s.NotResource)}</code>
            </Typography.Text>
            <ConditionEditor
              rows={drafts[i] ?? conditionRows(s.Condition)}
              onChange={(rows) => {
                const next = statements.map((st, j) =>
                  j === i ? rows : (drafts[j] ?? conditionRows(st.Condition)),
                );
                setDrafts(next);
                emit(withConditions(value, i, rows));
              }}
            />
          </Space>
        </Card>
      ))}
      <StatementBuilder
        onAdd={(e, a, r, rows) => {
          const text = withStatement(value, e, a, r, rows);
          setDrafts([...statements.map((st, j) => drafts[j] ?? conditionRows(st.Condition)), rows]);
          emit(text);
        }}
      />
    </Space>
  );
}
