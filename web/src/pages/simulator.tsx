/**
 * The policy simulator: pick a principal of the account, an action, a resource and context
 * values, and see the decision with its explanation. The question goes to the authorization
 * point (`POST /authorize`), which decides with the same engine, policies and caches as the
 * API; asking needs `rampart:Authorize` (the root always may).
 */
import { Button, Card, Descriptions, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { authorize, listAll, type Session } from '../api';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';

interface Answer {
  Decision?: string;
  Principal?: string;
  Action?: string;
  Resource?: string;
  Explanation?: string;
}

interface Question {
  principal: string;
  action: string;
  resource: string;
  context?: { key?: string; value?: string }[];
}

async function loadPrincipals(accountId: string) {
  const [users, roles] = await Promise.all([
    listAll<{ UserName: string }>('ram', 'ListUsers', 'Users', 'User').catch(() => []),
    listAll<{ RoleName: string }>('ram', 'ListRoles', 'Roles', 'Role').catch(() => []),
  ]);
  return [
    { value: `acs:ram::${accountId}:root`, label: 'root (the account)' },
    ...users.map((u) => ({ value: `acs:ram::${accountId}:user/${u.UserName}`, label: `user ${u.UserName}` })),
    ...roles.map((r) => ({ value: `acs:ram::${accountId}:role/${r.RoleName}`, label: `role ${r.RoleName}` })),
  ];
}

const ACTIONS = [
  'ram:ListUsers',
  'ram:GetUser',
  'ram:CreateUser',
  'ram:DeleteUser',
  'ram:CreatePolicy',
  'ram:AttachPolicyToUser',
  'sts:AssumeRole',
  'oss:GetObject',
  'oss:PutObject',
  'oss:ListObjects',
];

export function SimulatorPage({ session }: { session: Session }) {
  const accountId = session.Principal.AccountId;
  const principals = useLoad(() => loadPrincipals(accountId), [accountId]);
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async (q: Question): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const context: Record<string, string> = {};
      for (const row of q.context ?? []) if (row.key) context[row.key] = row.value ?? '';
      setAnswer(
        (await authorize({
          Arn: q.principal,
          Action: q.action,
          Resource: q.resource,
          ...(Object.keys(context).length ? { Context: context } : {}),
        })) as Answer,
      );
    } catch (e) {
      setAnswer(undefined);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%', maxWidth: 960 }}>
      <Typography.Title level={2}>Policy simulator</Typography.Title>
      <Card>
        <Form<Question>
          layout="vertical"
          name="simulator"
          onFinish={(q) => void ask(q)}
          initialValues={{ principal: `acs:ram::${accountId}:root`, resource: '*' }}
        >
          <Form.Item label="Principal" name="principal" rules={[{ required: true }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={principals.data ?? []}
              loading={principals.loading}
            />
          </Form.Item>
          <Form.Item label="Action" name="action" rules={[{ required: true, message: 'service:Action' }]}>
            <Input list="simulator-actions" placeholder="service:Action, e.g. ram:ListUsers" />
          </Form.Item>
          <datalist id="simulator-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <Form.Item label="Resource" name="resource" rules={[{ required: true }]}>
            <Input placeholder="An ARN, e.g. acs:ram:*:*:user/alice" />
          </Form.Item>
          <Typography.Text strong>Context</Typography.Text>
          <Form.List name="context">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }}>
                {fields.map((f) => (
                  <Space key={f.key}>
                    <Form.Item name={[f.name, 'key']} noStyle>
                      <Input aria-label="Condition key" placeholder="acs:SourceIp" style={{ width: 240 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'value']} noStyle>
                      <Input aria-label="Value" placeholder="10.0.0.1" style={{ width: 280 }} />
                    </Form.Item>
                    <Button onClick={() => remove(f.name)}>Remove</Button>
                  </Space>
                ))}
                <Button onClick={() => add()}>Add a context value</Button>
              </Space>
            )}
          </Form.List>
          <Button type="primary" htmlType="submit" loading={busy} style={{ marginTop: 16 }}>
            Simulate
          </Button>
        </Form>
      </Card>
      <Failure error={error} />
      {answer ? (
        <Card title="Decision" data-testid="decision">
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label="Decision">
              <Tag color={answer.Decision === 'Allow' ? 'green' : 'red'} data-testid="decision-effect">
                {answer.Decision}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label="Principal">{answer.Principal}</Descriptions.Item>
            <Descriptions.Item label="Action">{answer.Action}</Descriptions.Item>
            <Descriptions.Item label="Resource">{answer.Resource}</Descriptions.Item>
            <Descriptions.Item label="Explanation">
              <span className="explanation" data-testid="decision-explanation">
                {answer.Explanation}
              </span>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      ) : null}
    </Space>
  );
}
