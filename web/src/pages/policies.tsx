/**
 * Policies: System and Custom, a custom policy's creation and edits (JSON editor with live
 * validation and lint, and a visual statement editor with conditions that writes into it),
 * versions, the default version, and deletion.
 */
import { Alert, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { call, listAll, listOf } from '../api';
import { Failure } from '../components/failure';
import { PolicyEditor, hasPolicyErrors } from '../components/policy-editor';
import { StatementEditor } from '../components/statement-editor';
import { useLoad } from '../components/use-load';
import { Link, navigate } from '../router';

interface PolicyRow {
  PolicyName: string;
  PolicyType: string;
  Description?: string;
  DefaultVersion?: string;
  AttachmentCount?: number;
  CreateDate?: string;
}

const EMPTY_DOCUMENT = JSON.stringify({ Version: '1', Statement: [] }, null, 2);

export function PoliciesPage() {
  const [type, setType] = useState<'Custom' | 'System' | ''>('');
  const policies = useLoad(
    () => listAll<PolicyRow>('ram', 'ListPolicies', 'Policies', 'Policy', { PolicyType: type || undefined }),
    [type],
  );
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [document, setDocument] = useState(EMPTY_DOCUMENT);
  const [error, setError] = useState<unknown>();
  const create = async (v: { PolicyName: string; Description?: string }): Promise<void> => {
    try {
      await call('ram', 'CreatePolicy', { ...v, PolicyDocument: document });
      setCreating(false);
      setError(undefined);
      setDocument(EMPTY_DOCUMENT);
      policies.reload();
    } catch (e) {
      setError(e);
    }
  };
  const q = search.trim().toLowerCase();
  const rows = (policies.data ?? []).filter(
    (p) => !q || p.PolicyName.toLowerCase().includes(q) || (p.Description ?? '').toLowerCase().includes(q),
  );
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Policies</Typography.Title>
      <Space wrap>
        <Radio.Group
          value={type}
          onChange={(e) => setType(e.target.value as typeof type)}
          aria-label="Policy type"
        >
          <Radio.Button value="">All</Radio.Button>
          <Radio.Button value="System">System</Radio.Button>
          <Radio.Button value="Custom">Custom</Radio.Button>
        </Radio.Group>
        <Input.Search
          aria-label="Search policies"
          placeholder="Search by name or description"
          allowClear
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 320 }}
        />
        <Button type="primary" onClick={() => setCreating(true)}>
          Create policy
        </Button>
      </Space>
      <Failure error={policies.error} />
      <Table<PolicyRow>
        rowKey={(p) => `${p.PolicyType}:${p.PolicyName}`}
        loading={policies.loading}
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        columns={[
          {
            title: 'Policy name',
            dataIndex: 'PolicyName',
            render: (n: string, p) => (
              <Link to={`/policies/${p.PolicyType}/${encodeURIComponent(n)}`}>{n}</Link>
            ),
          },
          {
            title: 'Type',
            dataIndex: 'PolicyType',
            render: (t: string) => <Tag color={t === 'System' ? 'default' : 'blue'}>{t}</Tag>,
          },
          { title: 'Description', dataIndex: 'Description' },
          { title: 'Default version', dataIndex: 'DefaultVersion' },
          { title: 'Attachments', dataIndex: 'AttachmentCount' },
        ]}
      />
      <Modal
        open={creating}
        title="Create policy"
        footer={null}
        width={820}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form layout="vertical" name="create-policy" onFinish={(v) => void create(v)}>
          <Form.Item label="Policy name" name="PolicyName" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label="Description" name="Description">
            <Input />
          </Form.Item>
          <Space orientation="vertical" style={{ width: '100%' }}>
            <StatementEditor value={document} onChange={setDocument} />
            <Typography.Text strong>Policy document</Typography.Text>
            <PolicyEditor kind="permission" label="Policy document" value={document} onChange={setDocument} />
            <Button type="primary" htmlType="submit" disabled={hasPolicyErrors(document, 'permission')}>
              Create
            </Button>
          </Space>
        </Form>
        <Failure error={error} />
      </Modal>
    </Space>
  );
}

interface VersionRow {
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate?: string;
  PolicyDocument?: string;
}

async function loadPolicy(policyType: string, policyName: string) {
  const body = await call('ram', 'GetPolicy', { PolicyType: policyType, PolicyName: policyName });
  const policy = body.Policy as PolicyRow;
  const defaultVersion = body.DefaultPolicyVersion as VersionRow | undefined;
  const versions =
    policyType === 'Custom'
      ? listOf<VersionRow>(
          await call('ram', 'ListPolicyVersions', { PolicyType: policyType, PolicyName: policyName }),
          'PolicyVersions',
          'PolicyVersion',
        )
      : defaultVersion
        ? [defaultVersion]
        : [];
  return { policy, defaultVersion, versions };
}

function pretty(text: string | undefined): string {
  try {
    return JSON.stringify(JSON.parse(text ?? ''), null, 2);
  } catch {
    return text ?? '';
  }
}

interface Witness {
  action: string;
  resource: string;
  context: Record<string, { type: string; values: unknown[] }>;
}

interface Proof {
  Verdict: 'equivalent' | 'widens' | 'narrows' | 'widens-and-narrows' | 'unknown';
  Widening?: Witness;
  Narrowing?: Witness;
  Approximations: string[];
}

function witnessText(w: Witness): string {
  const ctx = Object.entries(w.context)
    .map(([k, v]) => `${k}=${v.values.join(',')}`)
    .join(' ');
  return `${w.action} on ${w.resource}${ctx ? ` with ${ctx}` : ''}`;
}

const VERDICTS: Record<Proof['Verdict'], string> = {
  equivalent: 'The new version allows exactly what the default version allows.',
  widens: 'The new version allows more than the default version.',
  narrows: 'The new version allows less than the default version, and nothing new.',
  'widens-and-narrows':
    'The new version allows some requests the default version refuses, and refuses some it allows.',
  unknown: 'The comparison could not be decided in time.',
};

/** What a new version changes, proven by the server's solver before it is saved. */
function ChangeProof({ oldDocument, newDocument }: { oldDocument: string; newDocument: string }) {
  const [proof, setProof] = useState<Proof | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const check = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setProof(
        await call<Proof>('rampart', 'ComparePolicyDocuments', {
          OldDocument: oldDocument,
          NewDocument: newDocument,
        }),
      );
    } catch (e) {
      setError(e);
      setProof(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="change-proof">
      <Button onClick={() => void check()} loading={busy}>
        Check what this change grants
      </Button>
      <Failure error={error} />
      {proof ? (
        <Alert
          type={proof.Verdict === 'widens' || proof.Verdict === 'widens-and-narrows' ? 'warning' : 'info'}
          showIcon
          title={VERDICTS[proof.Verdict]}
          description={
            <>
              {proof.Widening ? <div>Newly allowed, for example: {witnessText(proof.Widening)}</div> : null}
              {proof.Narrowing ? (
                <div>No longer allowed, for example: {witnessText(proof.Narrowing)}</div>
              ) : null}
              {proof.Approximations.length ? (
                <div>Approximations: {proof.Approximations.join('; ')}</div>
              ) : null}
            </>
          }
        />
      ) : null}
    </Space>
  );
}

export function PolicyDetailPage({ policyType, policyName }: { policyType: string; policyName: string }) {
  const detail = useLoad(() => loadPolicy(policyType, policyName), [policyType, policyName]);
  const [selected, setSelected] = useState<string | undefined>();
  const [draft, setDraft] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const d = detail.data;
  const custom = policyType === 'Custom';
  const version =
    d?.versions.find((v) => v.VersionId === (selected ?? d.policy.DefaultVersion)) ?? d?.defaultVersion;
  const text = draft ?? pretty(version?.PolicyDocument);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
    detail.reload();
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>
        Policy {d?.policy.PolicyName ?? policyName} <Tag>{policyType}</Tag>
      </Typography.Title>
      <Failure error={detail.error} />
      <Failure error={error} />
      {d ? (
        <>
          <Typography.Paragraph>{d.policy.Description}</Typography.Paragraph>
          <Space wrap>
            <span>Version</span>
            <Select
              aria-label="Version"
              style={{ width: 160 }}
              value={version?.VersionId}
              onChange={(v: string) => {
                setSelected(v);
                setDraft(undefined);
              }}
              options={d.versions.map((v) => ({
                value: v.VersionId,
                label: `${v.VersionId}${v.IsDefaultVersion ? ' (default)' : ''}`,
              }))}
            />
            {custom && version && !version.IsDefaultVersion ? (
              <>
                <Button
                  onClick={() =>
                    void act(() =>
                      call('ram', 'SetDefaultPolicyVersion', {
                        PolicyName: policyName,
                        VersionId: version.VersionId,
                      }),
                    )
                  }
                >
                  Set as default
                </Button>
                <Button
                  danger
                  onClick={() =>
                    void act(async () => {
                      await call('ram', 'DeletePolicyVersion', {
                        PolicyName: policyName,
                        VersionId: version.VersionId,
                      });
                      setSelected(undefined);
                    })
                  }
                >
                  Delete this version
                </Button>
              </>
            ) : null}
          </Space>
          {custom ? (
            <Card title="Document">
              <Space orientation="vertical" style={{ width: '100%' }}>
                <StatementEditor value={text} onChange={setDraft} />
                <Typography.Text strong>Policy document</Typography.Text>
                <PolicyEditor kind="permission" label="Policy document" value={text} onChange={setDraft} />
                {draft !== undefined && !hasPolicyErrors(text, 'permission') && d.defaultVersion ? (
                  <ChangeProof oldDocument={d.defaultVersion.PolicyDocument ?? ''} newDocument={text} />
                ) : null}
                <Button
                  type="primary"
                  disabled={draft === undefined || hasPolicyErrors(text, 'permission')}
                  onClick={() =>
                    void act(async () => {
                      await call('ram', 'CreatePolicyVersion', {
                        PolicyName: policyName,
                        PolicyDocument: text,
                        SetAsDefault: true,
                      });
                      setDraft(undefined);
                      setSelected(undefined);
                    })
                  }
                >
                  Save as a new default version
                </Button>
              </Space>
            </Card>
          ) : (
            <pre className="json">{text}</pre>
          )}
          {custom ? (
            <Button
              danger
              style={{ width: 'fit-content' }}
              onClick={() =>
                void act(async () => {
                  await call('ram', 'DeletePolicy', { PolicyName: policyName });
                  navigate('/policies');
                })
              }
            >
              Delete policy
            </Button>
          ) : null}
        </>
      ) : null}
    </Space>
  );
}
