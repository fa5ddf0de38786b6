/**
 * Access analysis through the `rampart` API (docs/analysis.md), decided by the same engine over
 * the stored policies and the audit trail: who can do an action on a resource (with the
 * statements that allow it, the conditions that still apply and who reaches each role through
 * sts:AssumeRole), what a user or role can do by service, unused users, keys and permissions,
 * a least-privilege policy from what a principal used, and access from outside the account.
 */
import { Button, Form, Input, InputNumber, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
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

function WhoCan() {
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

/** A question to the `rampart` API, its answer, its failure and whether it is under way. */
function useQuestion<T>() {
  const [answer, setAnswer] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async (action: string, params: Record<string, string | number | undefined>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await call<T>('rampart', action, params));
    } catch (e) {
      setError(e);
      setAnswer(undefined);
    } finally {
      setBusy(false);
    }
  };
  return { answer, error, busy, ask };
}

interface PrincipalForm {
  type: 'UserName' | 'RoleName';
  name: string;
  days?: number;
}

function PrincipalFields({ days }: { days?: boolean }) {
  return (
    <>
      <Form.Item name="type" initialValue="UserName">
        <Radio.Group
          options={[
            { value: 'UserName', label: 'User' },
            { value: 'RoleName', label: 'Role' },
          ]}
        />
      </Form.Item>
      <Form.Item name="name" label="Name" rules={[{ required: true, message: 'Enter a name' }]}>
        <Input style={{ width: 200 }} />
      </Form.Item>
      {days ? (
        <Form.Item name="days" label="Days" initialValue={30}>
          <InputNumber min={1} max={3650} />
        </Form.Item>
      ) : null}
    </>
  );
}

interface GrantLine {
  actions: string[];
  resources: string[];
  conditions: string[];
  policyName: string;
  attachedTo?: string;
  statement: number;
}

function WhatCan() {
  const q = useQuestion<{
    Principal: {
      services: { service: string; allow: GrantLine[]; deny: GrantLine[] }[];
      assumableRoles: { path: string[]; access: string }[];
    };
  }>();
  const line = (g: GrantLine, effect: string) =>
    `${effect} ${g.actions.join(', ')} on ${g.resources.join(', ')}${g.conditions.length ? ` when ${g.conditions.join(' and ')}` : ''} (${g.policyName}${g.attachedTo ? `, ${g.attachedTo}` : ''})`;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Form
        layout="inline"
        name="what-can"
        onFinish={(v: PrincipalForm) => void q.ask('WhatCan', { [v.type]: v.name })}
      >
        <PrincipalFields />
        <Button type="primary" htmlType="submit" loading={q.busy}>
          Show
        </Button>
      </Form>
      <Failure error={q.error} />
      {q.answer ? (
        <Table
          data-testid="what-can"
          rowKey="service"
          pagination={false}
          dataSource={q.answer.Principal.services}
          locale={{ emptyText: 'No statement grants or denies anything.' }}
          columns={[
            { title: 'Service', dataIndex: 'service' },
            {
              title: 'Statements',
              render: (_, r: { allow: GrantLine[]; deny: GrantLine[] }) =>
                [...r.deny.map((g) => line(g, 'Deny')), ...r.allow.map((g) => line(g, 'Allow'))].map((t) => (
                  <div key={t}>{t}</div>
                )),
            },
          ]}
        />
      ) : null}
      {q.answer?.Principal.assumableRoles.length ? (
        <Typography.Paragraph>
          Can assume: {q.answer.Principal.assumableRoles.map((r) => r.path.join(' → ')).join('; ')}
        </Typography.Paragraph>
      ) : null}
    </Space>
  );
}

interface UnusedReport {
  since: string;
  users: { userName: string; lastActivity?: string }[];
  accessKeys: { userName: string; accessKeyId: string; status: string; lastUsed?: string }[];
  consoleUsersWithoutMfa: string[];
  principals: { principalType: string; name: string; unusedServices: string[] }[];
}

function Unused() {
  const q = useQuestion<{ Report: UnusedReport }>();
  const r = q.answer?.Report;
  const list = (title: string, items: string[]) => (
    <div>
      <Typography.Text strong>{title}</Typography.Text>
      {items.length ? (
        <ul>
          {items.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      ) : (
        <Typography.Paragraph>None.</Typography.Paragraph>
      )}
    </div>
  );
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Form
        layout="inline"
        name="unused"
        onFinish={(v: { days: number }) => void q.ask('ListUnusedAccess', { Days: v.days })}
      >
        <Form.Item name="days" label="Days" initialValue={90}>
          <InputNumber min={1} max={3650} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={q.busy}>
          Show
        </Button>
      </Form>
      <Failure error={q.error} />
      {r ? (
        <div data-testid="unused">
          <Typography.Paragraph>Since {r.since}:</Typography.Paragraph>
          {list(
            'Users with no activity',
            r.users.map((u) => `${u.userName}${u.lastActivity ? ` (last ${u.lastActivity})` : ''}`),
          )}
          {list(
            'AccessKeys not used',
            r.accessKeys.map(
              (k) =>
                `${k.accessKeyId} of ${k.userName} (${k.status}${k.lastUsed ? `, last ${k.lastUsed}` : ''})`,
            ),
          )}
          {list('Console users without MFA', r.consoleUsersWithoutMfa)}
          {list(
            'Services allowed but never called',
            r.principals
              .filter((p) => p.unusedServices.length)
              .map(
                (p) =>
                  `${p.principalType === 'Role' ? 'role' : 'user'} ${p.name}: ${p.unusedServices.join(', ')}`,
              ),
          )}
        </div>
      ) : null}
    </Space>
  );
}

function LeastPrivilege() {
  const q = useQuestion<{ CallCount: number; PolicyDocument: string }>();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Paragraph>
        A policy that allows every call the principal made in the audit trail, and nothing else it used.
      </Typography.Paragraph>
      <Form
        layout="inline"
        name="least-privilege"
        onFinish={(v: PrincipalForm) =>
          void q.ask('GenerateLeastPrivilegePolicy', { [v.type]: v.name, Days: v.days })
        }
      >
        <PrincipalFields days />
        <Button type="primary" htmlType="submit" loading={q.busy}>
          Generate
        </Button>
      </Form>
      <Failure error={q.error} />
      {q.answer ? (
        <div data-testid="least-privilege">
          <Typography.Paragraph>{q.answer.CallCount} call(s) in the trail.</Typography.Paragraph>
          {q.answer.PolicyDocument ? (
            <pre className="json">{JSON.stringify(JSON.parse(q.answer.PolicyDocument), null, 2)}</pre>
          ) : (
            <Typography.Paragraph>No call: nothing to allow.</Typography.Paragraph>
          )}
        </div>
      ) : null}
    </Space>
  );
}

interface ExternalGrant {
  resource: string;
  principal: string;
  kind: string;
  actions: string[];
  statement: number;
  conditions: string[];
}

function External() {
  const q = useQuestion<{ Grants: ExternalGrant[] }>();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Paragraph>
        Principals outside the account that role trust policies and bucket policies let in.
      </Typography.Paragraph>
      <Button
        type="primary"
        onClick={() => void q.ask('ListExternalAccess', {})}
        loading={q.busy}
        style={{ width: 'fit-content' }}
      >
        Find external access
      </Button>
      <Failure error={q.error} />
      {q.answer ? (
        <Table<ExternalGrant>
          data-testid="external"
          rowKey={(g) => `${g.resource}-${g.principal}-${g.statement}`}
          pagination={false}
          dataSource={q.answer.Grants}
          locale={{ emptyText: 'Nothing in the account is open to other accounts.' }}
          columns={[
            { title: 'Resource', dataIndex: 'resource' },
            { title: 'Who', render: (_, g) => `${g.principal} (${g.kind})` },
            { title: 'Actions', render: (_, g) => g.actions.join(', ') },
            { title: 'When', render: (_, g) => g.conditions.join(' and ') },
          ]}
        />
      ) : null}
    </Space>
  );
}

export function AccessPage() {
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Access analysis</Typography.Title>
      <Tabs
        items={[
          { key: 'who', label: 'Who can', children: <WhoCan /> },
          { key: 'what', label: 'What can', children: <WhatCan /> },
          { key: 'unused', label: 'Unused access', children: <Unused /> },
          { key: 'least', label: 'Least privilege', children: <LeastPrivilege /> },
          { key: 'external', label: 'External access', children: <External /> },
        ]}
      />
    </Space>
  );
}
