/**
 * The visual statement editor: the statements of a policy document with their conditions,
 * each condition an operator, a key and one or more values that can be added, edited and
 * removed, and a builder that adds a statement (Effect, actions, resources, conditions). It
 * edits the document's JSON text and nothing else (web/src/policy-statements.ts): a condition
 * is written back in the shape it was read, so opening a document and saving it keeps its
 * conditions as they were.
 */
import { AutoComplete, Button, Card, Input, Radio, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { OPERATOR_NAMES } from '../../../src/policy/index';
import {
  conditionRows,
  listText,
  parseDoc,
  splitList,
  statementsOf,
  withConditions,
  withStatement,
  type ConditionRow,
} from '../policy-statements';

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
    // A plain column (not Space, which keys its items by position): the builder keeps its
    // state while statements come and go.
    <div
      style={{ display: 'flex', flexDirection: 'column', gap: 8, width: '100%' }}
      data-testid="statement-editor"
    >
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
        key="new-statement"
        onAdd={(e, a, r, rows) => {
          const text = withStatement(value, e, a, r, rows);
          setDrafts([...statements.map((st, j) => drafts[j] ?? conditionRows(st.Condition)), rows]);
          emit(text);
        }}
      />
    </div>
  );
}
