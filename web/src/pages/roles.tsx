/** Roles: the list, creation with a trust policy, and a role's trust policy, session duration and policies. */
import { Button, Card, Form, Input, InputNumber, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { call, listAll, listOf } from '../api';
import { AttachPolicy } from '../components/attach-policy';
import { Failure } from '../components/failure';
import { PolicyEditor, hasPolicyErrors } from '../components/policy-editor';
import { useLoad } from '../components/use-load';
import { Link, navigate } from '../router';

interface RoleRow {
  RoleName: string;
  RoleId: string;
  Arn?: string;
  Description?: string;
  MaxSessionDuration?: number;
  AssumeRolePolicyDocument?: string;
  CreateDate?: string;
}

function defaultTrust(accountId: string): string {
  return JSON.stringify(
    {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${accountId}:root`] },
        },
      ],
    },
    null,
    2,
  );
}

export function RolesPage() {
  const roles = useLoad(() => listAll<RoleRow>('ram', 'ListRoles', 'Roles', 'Role'));
  const [creating, setCreating] = useState(false);
  const [trust, setTrust] = useState('');
  const [error, setError] = useState<unknown>();
  const open = async (): Promise<void> => {
    let account = '';
    try {
      account = String((await call('sts', 'GetCallerIdentity')).AccountId ?? '');
    } catch {
      // The template then names no account; the person fills it in.
    }
    setTrust(defaultTrust(account || '<account id>'));
    setCreating(true);
  };
  const create = async (v: { RoleName: string; Description?: string; MaxSessionDuration?: number }) => {
    try {
      await call('ram', 'CreateRole', { ...v, AssumeRolePolicyDocument: trust });
      setCreating(false);
      setError(undefined);
      roles.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Roles</Typography.Title>
      <Button type="primary" onClick={() => void open()} style={{ width: 'fit-content' }}>
        Create role
      </Button>
      <Failure error={roles.error} />
      <Table<RoleRow>
        rowKey="RoleId"
        loading={roles.loading}
        dataSource={roles.data ?? []}
        columns={[
          {
            title: 'Role name',
            dataIndex: 'RoleName',
            render: (n: string) => <Link to={`/roles/${encodeURIComponent(n)}`}>{n}</Link>,
          },
          { title: 'Description', dataIndex: 'Description' },
          { title: 'Max session (s)', dataIndex: 'MaxSessionDuration' },
          { title: 'Created', dataIndex: 'CreateDate' },
        ]}
      />
      <Modal
        open={creating}
        title="Create role"
        footer={null}
        width={760}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form
          layout="vertical"
          name="create-role"
          onFinish={(v) => void create(v)}
          initialValues={{ MaxSessionDuration: 3600 }}
        >
          <Form.Item label="Role name" name="RoleName" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label="Description" name="Description">
            <Input />
          </Form.Item>
          <Form.Item label="Maximum session duration (seconds)" name="MaxSessionDuration">
            <InputNumber min={3600} max={43200} />
          </Form.Item>
          <Typography.Text strong>Trust policy</Typography.Text>
          <PolicyEditor kind="trust" label="Trust policy" value={trust} onChange={setTrust} />
          <Button
            type="primary"
            htmlType="submit"
            style={{ marginTop: 12 }}
            disabled={hasPolicyErrors(trust, 'trust')}
          >
            Create
          </Button>
        </Form>
        <Failure error={error} />
      </Modal>
    </Space>
  );
}

async function loadRole(roleName: string) {
  const role = (await call('ram', 'GetRole', { RoleName: roleName })).Role as RoleRow;
  const policies = await call('ram', 'ListPoliciesForRole', { RoleName: roleName });
  return {
    role,
    policies: listOf<{ PolicyName: string; PolicyType: string }>(policies, 'Policies', 'Policy'),
  };
}

function pretty(text: string | undefined): string {
  try {
    return JSON.stringify(JSON.parse(text ?? ''), null, 2);
  } catch {
    return text ?? '';
  }
}

export function RoleDetailPage({ roleName }: { roleName: string }) {
  const detail = useLoad(() => loadRole(roleName), [roleName]);
  const [trust, setTrust] = useState<string | undefined>();
  const [duration, setDuration] = useState<number | undefined>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const d = detail.data;
  const name = d?.role.RoleName ?? roleName;
  const text = trust ?? pretty(d?.role.AssumeRolePolicyDocument);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    setSaved(false);
    try {
      await fn();
      setSaved(true);
    } catch (e) {
      setError(e);
    }
    detail.reload();
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Role {name}</Typography.Title>
      <Failure error={detail.error} />
      <Failure error={error} />
      {d ? (
        <>
          <Typography.Paragraph>
            <Typography.Text code copyable>
              {d.role.Arn}
            </Typography.Text>{' '}
            {d.role.Description}
          </Typography.Paragraph>
          <Card title="Trust policy and session">
            <Space orientation="vertical" style={{ width: '100%' }}>
              <PolicyEditor kind="trust" label="Trust policy" value={text} onChange={setTrust} />
              <Space>
                <span>Maximum session duration (seconds)</span>
                <InputNumber
                  aria-label="Maximum session duration"
                  min={3600}
                  max={43200}
                  value={duration ?? d.role.MaxSessionDuration}
                  onChange={(v) => setDuration(v ?? undefined)}
                />
              </Space>
              <Button
                type="primary"
                disabled={hasPolicyErrors(text, 'trust')}
                onClick={() =>
                  void act(() =>
                    call('ram', 'UpdateRole', {
                      RoleName: name,
                      NewAssumeRolePolicyDocument: trust,
                      NewMaxSessionDuration: duration,
                    }),
                  )
                }
              >
                Save
              </Button>
              {saved ? <Typography.Text type="success">Saved.</Typography.Text> : null}
            </Space>
          </Card>
          <Card title="Policies" extra={<AttachPolicy target="Role" name={name} onDone={detail.reload} />}>
            <Table
              rowKey={(p) => `${p.PolicyType}:${p.PolicyName}`}
              size="small"
              pagination={false}
              dataSource={d.policies}
              columns={[
                {
                  title: 'Policy',
                  dataIndex: 'PolicyName',
                  render: (n: string, p) => (
                    <Link to={`/policies/${p.PolicyType}/${encodeURIComponent(n)}`}>{n}</Link>
                  ),
                },
                { title: 'Type', dataIndex: 'PolicyType' },
                {
                  title: '',
                  render: (_: unknown, p) => (
                    <Button
                      size="small"
                      onClick={() =>
                        void act(() =>
                          call('ram', 'DetachPolicyFromRole', {
                            PolicyType: p.PolicyType,
                            PolicyName: p.PolicyName,
                            RoleName: name,
                          }),
                        )
                      }
                    >
                      Detach
                    </Button>
                  ),
                },
              ]}
            />
          </Card>
          <Button
            danger
            style={{ width: 'fit-content' }}
            onClick={() =>
              void act(async () => {
                await call('ram', 'DeleteRole', { RoleName: name });
                navigate('/roles');
              })
            }
          >
            Delete role
          </Button>
        </>
      ) : null}
    </Space>
  );
}
