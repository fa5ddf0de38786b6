/** Groups: the list, creation, and a group's members and policies. */
import { Button, Card, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { call, listAll, listOf } from '../api';
import { AttachPolicy } from '../components/attach-policy';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';
import { Link, navigate } from '../router';

interface GroupRow {
  GroupName: string;
  GroupId: string;
  Comments?: string;
  CreateDate?: string;
}

export function GroupsPage() {
  const groups = useLoad(() => listAll<GroupRow>('ram', 'ListGroups', 'Groups', 'Group'));
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>();
  const create = async (v: { GroupName: string; Comments?: string }): Promise<void> => {
    try {
      await call('ram', 'CreateGroup', v);
      setCreating(false);
      setError(undefined);
      groups.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Groups</Typography.Title>
      <Button type="primary" onClick={() => setCreating(true)} style={{ width: 'fit-content' }}>
        Create group
      </Button>
      <Failure error={groups.error} />
      <Table<GroupRow>
        rowKey="GroupId"
        loading={groups.loading}
        dataSource={groups.data ?? []}
        columns={[
          {
            title: 'Group name',
            dataIndex: 'GroupName',
            render: (n: string) => <Link to={`/groups/${encodeURIComponent(n)}`}>{n}</Link>,
          },
          { title: 'Comments', dataIndex: 'Comments' },
          { title: 'Created', dataIndex: 'CreateDate' },
        ]}
      />
      <Modal
        open={creating}
        title="Create group"
        footer={null}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form layout="vertical" name="create-group" onFinish={(v) => void create(v)}>
          <Form.Item label="Group name" name="GroupName" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label="Comments" name="Comments">
            <Input />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            Create
          </Button>
        </Form>
        <Failure error={error} />
      </Modal>
    </Space>
  );
}

async function loadGroup(groupName: string) {
  const group = (await call('ram', 'GetGroup', { GroupName: groupName })).Group as GroupRow;
  const [members, policies] = await Promise.all([
    listAll<{ UserName: string; DisplayName?: string }>('ram', 'ListUsersForGroup', 'Users', 'User', {
      GroupName: groupName,
    }),
    call('ram', 'ListPoliciesForGroup', { GroupName: groupName }),
  ]);
  return {
    group,
    members,
    policies: listOf<{ PolicyName: string; PolicyType: string }>(policies, 'Policies', 'Policy'),
  };
}

export function GroupDetailPage({ groupName }: { groupName: string }) {
  const detail = useLoad(() => loadGroup(groupName), [groupName]);
  const users = useLoad(() => listAll<{ UserName: string }>('ram', 'ListUsers', 'Users', 'User'));
  const [error, setError] = useState<unknown>();
  const [adding, setAdding] = useState<string | undefined>();
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
  const name = d?.group.GroupName ?? groupName;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Group {name}</Typography.Title>
      <Failure error={detail.error} />
      <Failure error={error} />
      {d ? (
        <>
          <Typography.Paragraph>{d.group.Comments}</Typography.Paragraph>
          <Card
            title="Members"
            extra={
              <Space>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  aria-label="User to add"
                  placeholder="Add a user"
                  style={{ width: 220 }}
                  value={adding}
                  onChange={setAdding}
                  options={(users.data ?? []).map((u) => ({ value: u.UserName, label: u.UserName }))}
                />
                <Button
                  disabled={!adding}
                  onClick={() =>
                    void act(async () => {
                      await call('ram', 'AddUserToGroup', { GroupName: name, UserName: adding });
                      setAdding(undefined);
                    })
                  }
                >
                  Add
                </Button>
              </Space>
            }
          >
            <Table
              rowKey="UserName"
              size="small"
              pagination={false}
              dataSource={d.members}
              columns={[
                {
                  title: 'User',
                  dataIndex: 'UserName',
                  render: (u: string) => <Link to={`/users/${encodeURIComponent(u)}`}>{u}</Link>,
                },
                { title: 'Display name', dataIndex: 'DisplayName' },
                {
                  title: '',
                  render: (_: unknown, u) => (
                    <Button
                      size="small"
                      onClick={() =>
                        void act(() =>
                          call('ram', 'RemoveUserFromGroup', { GroupName: name, UserName: u.UserName }),
                        )
                      }
                    >
                      Remove
                    </Button>
                  ),
                },
              ]}
            />
          </Card>
          <Card title="Policies" extra={<AttachPolicy target="Group" name={name} onDone={detail.reload} />}>
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
                          call('ram', 'DetachPolicyFromGroup', {
                            PolicyType: p.PolicyType,
                            PolicyName: p.PolicyName,
                            GroupName: name,
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
                await call('ram', 'DeleteGroup', { GroupName: name });
                navigate('/groups');
              })
            }
          >
            Delete group
          </Button>
        </>
      ) : null}
    </Space>
  );
}
