/**
 * Access analysis: who in the account can do an action on a resource (the `rampart` API's
 * WhoCan, decided by the same engine over the stored policies), with the statements that allow
 * it, the conditions that still apply and who can reach each role through sts:AssumeRole.
 */
import { Button, Form, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { call } from '../api';
import { Failure } from '../components/failure';

interface AllowingStatement {
  policyName: string;
  policyType?: string;
  attachedTo?: string;
  statement: number;
  conditions: string[];
}

interface AccessEntry {
  principalType: 'RAMUser' | 'Role';
  name: string;
  arn: string;
  access: 'Allowed' | 'Conditional';
  allowedBy: AllowingStatement[];
  deniedWhen: string[];
  assumableBy?: { path: string[]; access: string }[];
}

export function AccessPage() {
  const [rows, setRows] = useState<AccessEntry[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async (v: { action: string; resource: string }): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await call<{ Principals: AccessEntry[] }>('rampart', 'WhoCan', {
        AuthAction: v.action.trim(),
        AuthResource: v.resource.trim(),
      });
      setRows(r.Principals);
    } catch (e) {
      setError(e);
      setRows(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Who can</Typography.Title>
      <Typography.Paragraph>
        Every RAM user and role of the account allowed an action on a resource, with the statements that allow
        it. The account root may do everything and is not listed.
      </Typography.Paragraph>
      <Form
        layout="inline"
        name="who-can"
        onFinish={(v: { action: string; resource: string }) => void ask(v)}
      >
        <Form.Item name="action" label="Action" rules={[{ required: true, message: 'Enter an action' }]}>
          <Input placeholder="oss:GetObject" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item
          name="resource"
          label="Resource"
          rules={[{ required: true, message: 'Enter a resource ARN' }]}
        >
          <Input placeholder="acs:oss:*:*:bucket/key" style={{ width: 360 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          Ask
        </Button>
      </Form>
      <Failure error={error} />
      {rows ? (
        <Table<AccessEntry>
          rowKey="arn"
          data-testid="who-can"
          pagination={false}
          dataSource={rows}
          locale={{ emptyText: 'Nobody in the account but the root may do this.' }}
          columns={[
            {
              title: 'Principal',
              render: (_, r) => `${r.principalType === 'Role' ? 'role' : 'user'} ${r.name}`,
            },
            {
              title: 'Access',
              render: (_, r) => <Tag color={r.access === 'Allowed' ? 'green' : 'gold'}>{r.access}</Tag>,
            },
            {
              title: 'Allowed by',
              render: (_, r) =>
                r.allowedBy.map((s) => (
                  <div key={`${s.policyName}-${s.statement}-${s.attachedTo ?? ''}`}>
                    {s.policyName} statement {s.statement}
                    {s.attachedTo ? ` (${s.attachedTo})` : ''}
                    {s.conditions.length ? ` when ${s.conditions.join(' and ')}` : ''}
                  </div>
                )),
            },
            {
              title: 'Refused when',
              render: (_, r) => r.deniedWhen.join('; '),
            },
            {
              title: 'Reached through',
              render: (_, r) => (r.assumableBy ?? []).map((p) => p.path.join(' → ')).join('; '),
            },
          ]}
        />
      ) : null}
    </Space>
  );
}
