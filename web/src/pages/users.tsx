/**
 * RAM users: the list (search, paging), creation with console access and/or an AccessKey,
 * and a user's detail: groups, policies, AccessKeys, MFA device, logon settings, deletion.
 */
import {
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { ApiFailure, call, listAll, listOf } from '../api';
import { AttachPolicy } from '../components/attach-policy';
import { Failure } from '../components/failure';
import { SecretOnce, type NewKey } from '../components/secret-once';
import { useLoad } from '../components/use-load';
import { Link, navigate } from '../router';

interface UserRow {
  UserName: string;
  UserId: string;
  DisplayName?: string;
  Comments?: string;
  CreateDate?: string;
}

interface CreateForm {
  UserName: string;
  DisplayName?: string;
  Comments?: string;
  console?: boolean;
  Password?: string;
  PasswordResetRequired?: boolean;
  MFABindRequired?: boolean;
  accessKey?: boolean;
}

export function UsersPage() {
  const users = useLoad(() => listAll<UserRow>('ram', 'ListUsers', 'Users', 'User'));
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>();
  const [newKey, setNewKey] = useState<NewKey | undefined>();
  const [form] = Form.useForm<CreateForm>();
  const wantsConsole = Form.useWatch('console', form);

  const create = async (v: CreateForm): Promise<void> => {
    setError(undefined);
    try {
      await call('ram', 'CreateUser', {
        UserName: v.UserName,
        DisplayName: v.DisplayName,
        Comments: v.Comments,
      });
      if (v.console) {
        await call('ram', 'CreateLoginProfile', {
          UserName: v.UserName,
          Password: v.Password,
          PasswordResetRequired: v.PasswordResetRequired === true,
          MFABindRequired: v.MFABindRequired === true,
        });
      }
      if (v.accessKey) {
        const k = await call('ram', 'CreateAccessKey', { UserName: v.UserName });
        const key = k.AccessKey as { AccessKeyId: string; AccessKeySecret: string };
        setNewKey({
          userName: v.UserName,
          accessKeyId: key.AccessKeyId,
          accessKeySecret: key.AccessKeySecret,
        });
      }
      setCreating(false);
      form.resetFields();
      users.reload();
    } catch (e) {
      setError(e);
      users.reload();
    }
  };

  const q = search.trim().toLowerCase();
  const rows = (users.data ?? []).filter(
    (u) => !q || u.UserName.toLowerCase().includes(q) || (u.DisplayName ?? '').toLowerCase().includes(q),
  );
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Users</Typography.Title>
      <Space>
        <Input.Search
          aria-label="Search users"
          placeholder="Search by name"
          allowClear
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 320 }}
        />
        <Button type="primary" onClick={() => setCreating(true)}>
          Create user
        </Button>
      </Space>
      <Failure error={users.error} />
      <Table<UserRow>
        rowKey="UserId"
        loading={users.loading}
        dataSource={rows}
        pagination={{ pageSize: 20, showSizeChanger: true }}
        columns={[
          {
            title: 'User name',
            dataIndex: 'UserName',
            render: (n: string) => <Link to={`/users/${encodeURIComponent(n)}`}>{n}</Link>,
          },
          { title: 'Display name', dataIndex: 'DisplayName' },
          { title: 'Comments', dataIndex: 'Comments' },
          { title: 'Created', dataIndex: 'CreateDate' },
        ]}
      />
      <Modal
        open={creating}
        title="Create user"
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText="Create"
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          name="create-user"
          onFinish={(v) => void create(v)}
          preserve={false}
        >
          <Form.Item label="User name" name="UserName" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label="Display name" name="DisplayName">
            <Input />
          </Form.Item>
          <Form.Item label="Comments" name="Comments">
            <Input />
          </Form.Item>
          <Form.Item name="console" valuePropName="checked">
            <Checkbox>Console access (a password to sign in)</Checkbox>
          </Form.Item>
          {wantsConsole ? (
            <>
              <Form.Item label="Console password" name="Password" rules={[{ required: true }]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item name="PasswordResetRequired" valuePropName="checked" initialValue={true}>
                <Checkbox>Require a new password at the first logon</Checkbox>
              </Form.Item>
              <Form.Item name="MFABindRequired" valuePropName="checked">
                <Checkbox>Require binding an MFA device at the next logon</Checkbox>
              </Form.Item>
            </>
          ) : null}
          <Form.Item name="accessKey" valuePropName="checked">
            <Checkbox>Programmatic access (an AccessKey)</Checkbox>
          </Form.Item>
        </Form>
        <Failure error={error} />
      </Modal>
      <SecretOnce value={newKey} onClose={() => setNewKey(undefined)} />
    </Space>
  );
}

interface KeyRow {
  AccessKeyId: string;
  Status: string;
  CreateDate?: string;
}

async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiFailure && e.code.startsWith('EntityNotExist')) return undefined;
    throw e;
  }
}

async function loadUser(userName: string) {
  const user = (await call('ram', 'GetUser', { UserName: userName })).User as UserRow &
    Record<string, unknown>;
  const upn = String(
    ((await call('ims', 'GetUser', { UserId: user.UserId })).User as { UserPrincipalName?: string })
      .UserPrincipalName ?? '',
  );
  const [groups, policies, keys, profile, mfa] = await Promise.all([
    call('ram', 'ListGroupsForUser', { UserName: userName }),
    call('ram', 'ListPoliciesForUser', { UserName: userName }),
    call('ram', 'ListAccessKeys', { UserName: userName }),
    optional(call('ims', 'GetLoginProfile', { UserPrincipalName: upn })),
    optional(call('ram', 'GetUserMFAInfo', { UserName: userName })),
  ]);
  return {
    user,
    upn,
    groups: listOf<{ GroupName: string; Comments?: string }>(groups, 'Groups', 'Group'),
    policies: listOf<{ PolicyName: string; PolicyType: string; Description?: string }>(
      policies,
      'Policies',
      'Policy',
    ),
    keys: listOf<KeyRow>(keys, 'AccessKeys', 'AccessKey'),
    profile: profile?.LoginProfile as LoginProfile | undefined,
    mfa: mfa?.MFADevice as { SerialNumber: string } | undefined,
  };
}

export function UserDetailPage({ userName }: { userName: string }) {
  const detail = useLoad(() => loadUser(userName), [userName]);
  const [error, setError] = useState<unknown>();
  const [newKey, setNewKey] = useState<NewKey | undefined>();
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
    detail.reload();
  };
  const d = detail.data;
  const name = d?.user.UserName ?? userName;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>User {name}</Typography.Title>
      <Failure error={detail.error} />
      <Failure error={error} />
      {d ? (
        <>
          <Descriptions bordered size="small" column={2}>
            <Descriptions.Item label="User name">{d.user.UserName}</Descriptions.Item>
            <Descriptions.Item label="User ID">{d.user.UserId}</Descriptions.Item>
            <Descriptions.Item label="Display name">{d.user.DisplayName}</Descriptions.Item>
            <Descriptions.Item label="Comments">{d.user.Comments}</Descriptions.Item>
            <Descriptions.Item label="Last logon">{String(d.user.LastLoginDate ?? '')}</Descriptions.Item>
            <Descriptions.Item label="Created">{d.user.CreateDate}</Descriptions.Item>
          </Descriptions>
          <Card title="Console logon">
            <ConsoleLogon userName={name} upn={d.upn} profile={d.profile} act={act} />
            <div style={{ marginTop: 8 }}>
              MFA device:{' '}
              {d.mfa ? (
                <Space>
                  <code>{d.mfa.SerialNumber}</code>
                  <Popconfirm
                    title="Unbind this MFA device?"
                    onConfirm={() => act(() => call('ram', 'UnbindMFADevice', { UserName: name }))}
                  >
                    <Button size="small">Unbind</Button>
                  </Popconfirm>
                </Space>
              ) : (
                'none'
              )}
            </div>
          </Card>
          <Card title="Groups">
            <Table
              rowKey="GroupName"
              size="small"
              pagination={false}
              dataSource={d.groups}
              columns={[
                {
                  title: 'Group',
                  dataIndex: 'GroupName',
                  render: (g: string) => <Link to={`/groups/${encodeURIComponent(g)}`}>{g}</Link>,
                },
                { title: 'Comments', dataIndex: 'Comments' },
              ]}
            />
          </Card>
          <Card title="Policies" extra={<AttachPolicy target="User" name={name} onDone={detail.reload} />}>
            <Table
              rowKey={(p) => `${p.PolicyType}:${p.PolicyName}`}
              size="small"
              pagination={false}
              dataSource={d.policies}
              data-testid="user-policies"
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
                          call('ram', 'DetachPolicyFromUser', {
                            PolicyType: p.PolicyType,
                            PolicyName: p.PolicyName,
                            UserName: name,
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
          <Card
            title="AccessKeys"
            extra={
              <Button
                onClick={() =>
                  void act(async () => {
                    const k = (await call('ram', 'CreateAccessKey', { UserName: name })).AccessKey as {
                      AccessKeyId: string;
                      AccessKeySecret: string;
                    };
                    setNewKey({
                      userName: name,
                      accessKeyId: k.AccessKeyId,
                      accessKeySecret: k.AccessKeySecret,
                    });
                  })
                }
              >
                Create AccessKey
              </Button>
            }
          >
            <Table<KeyRow>
              rowKey="AccessKeyId"
              size="small"
              pagination={false}
              dataSource={d.keys}
              columns={[
                { title: 'AccessKey ID', dataIndex: 'AccessKeyId' },
                { title: 'Status', dataIndex: 'Status' },
                { title: 'Created', dataIndex: 'CreateDate' },
                {
                  title: '',
                  render: (_: unknown, k) => (
                    <Space>
                      <Button
                        size="small"
                        onClick={() =>
                          void act(() =>
                            call('ram', 'UpdateAccessKey', {
                              UserName: name,
                              UserAccessKeyId: k.AccessKeyId,
                              Status: k.Status === 'Active' ? 'Inactive' : 'Active',
                            }),
                          )
                        }
                      >
                        {k.Status === 'Active' ? 'Disable' : 'Enable'}
                      </Button>
                      <Popconfirm
                        title="Delete this AccessKey?"
                        onConfirm={() =>
                          act(() =>
                            call('ram', 'DeleteAccessKey', {
                              UserName: name,
                              UserAccessKeyId: k.AccessKeyId,
                            }),
                          )
                        }
                      >
                        <Button size="small" danger>
                          Delete
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]}
            />
          </Card>
          <DeleteUser
            name={name}
            conflicts={[
              ...d.groups.map((g) => `member of the group ${g.GroupName}`),
              ...d.policies.map((p) => `the policy ${p.PolicyName} (${p.PolicyType}) is attached`),
              ...d.keys.map((k) => `the AccessKey ${k.AccessKeyId}`),
              ...(d.profile ? ['console access'] : []),
              ...(d.mfa ? [`the MFA device ${d.mfa.SerialNumber}`] : []),
            ]}
            onError={setError}
          />
        </>
      ) : null}
      <SecretOnce value={newKey} onClose={() => setNewKey(undefined)} />
    </Space>
  );
}

interface LoginProfile {
  Status?: string;
  PasswordResetRequired?: boolean;
  MFABindRequired?: boolean;
}

/** A user's console logon: add it, enable or disable it, its requirements, a new password, removal. */
function ConsoleLogon({
  userName,
  upn,
  profile,
  act,
}: {
  userName: string;
  upn: string;
  profile: LoginProfile | undefined;
  act: (fn: () => Promise<unknown>) => Promise<void>;
}) {
  const [password, setPassword] = useState('');
  const update = (params: Record<string, string | boolean>) =>
    act(() => call('ims', 'UpdateLoginProfile', { UserPrincipalName: upn, ...params }));
  if (!profile) {
    return (
      <Space wrap>
        <Typography.Text>No console access.</Typography.Text>
        <Input.Password
          aria-label="New console password"
          placeholder="A password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          style={{ width: 220 }}
        />
        <Button
          disabled={password === ''}
          onClick={() =>
            void act(async () => {
              await call('ram', 'CreateLoginProfile', {
                UserName: userName,
                Password: password,
                PasswordResetRequired: true,
              });
              setPassword('');
            })
          }
        >
          Enable console access
        </Button>
      </Space>
    );
  }
  const active = profile.Status !== 'Inactive';
  return (
    <Space orientation="vertical" data-testid="console-logon">
      <Space wrap>
        <Tag color={active ? 'blue' : 'default'}>{active ? 'Console access' : 'Console access disabled'}</Tag>
        <Button onClick={() => void update({ Status: active ? 'Inactive' : 'Active' })}>
          {active ? 'Disable console logon' : 'Enable console logon'}
        </Button>
        <Popconfirm
          title="Remove this user's console access?"
          onConfirm={() => act(() => call('ram', 'DeleteLoginProfile', { UserName: userName }))}
        >
          <Button danger>Remove console access</Button>
        </Popconfirm>
      </Space>
      <Checkbox
        checked={profile.PasswordResetRequired === true}
        onChange={(e) => void update({ PasswordResetRequired: e.target.checked })}
      >
        Require a new password at the next logon
      </Checkbox>
      <Checkbox
        checked={profile.MFABindRequired === true}
        onChange={(e) => void update({ MFABindRequired: e.target.checked })}
      >
        Require binding an MFA device at the next logon
      </Checkbox>
      <Space wrap>
        <Input.Password
          aria-label="New console password"
          placeholder="Set a new password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          style={{ width: 220 }}
        />
        <Button
          disabled={password === ''}
          onClick={() => void update({ Password: password }).then(() => setPassword(''))}
        >
          Set the password
        </Button>
      </Space>
    </Space>
  );
}

function DeleteUser({
  name,
  conflicts,
  onError,
}: {
  name: string;
  conflicts: string[];
  onError: (e: unknown) => void;
}) {
  const remove = async (): Promise<void> => {
    try {
      await call('ram', 'DeleteUser', { UserName: name });
      navigate('/users');
    } catch (e) {
      onError(e);
    }
  };
  return (
    <Card title="Delete the user">
      {conflicts.length > 0 ? (
        <>
          <Typography.Paragraph>The user cannot be deleted while it has:</Typography.Paragraph>
          <ul data-testid="delete-conflicts">
            {conflicts.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </>
      ) : null}
      <Button
        danger
        onClick={() =>
          Modal.confirm({
            title: `Delete the user ${name}?`,
            okText: 'Delete',
            okButtonProps: { danger: true },
            onOk: remove,
          })
        }
      >
        Delete user
      </Button>
    </Card>
  );
}
