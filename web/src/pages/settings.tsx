/** Account settings: the password policy, the security preference, and the account alias. */
import {
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { call, listOf, type Session } from '../api';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';

type Values = Record<string, unknown>;

function SettingsCard({
  title,
  name,
  load,
  save,
  children,
}: {
  title: string;
  name: string;
  load: () => Promise<Values>;
  save: (v: Values) => Promise<unknown>;
  children: React.ReactNode;
}) {
  const current = useLoad(load);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const submit = async (v: Values): Promise<void> => {
    setSaved(false);
    try {
      await save(v);
      setError(undefined);
      setSaved(true);
      current.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card title={title}>
      <Failure error={current.error} />
      {current.data ? (
        <Form
          layout="vertical"
          name={name}
          initialValues={current.data}
          onFinish={(v: Values) => void submit(v)}
        >
          {children}
          <Space>
            <Button type="primary" htmlType="submit">
              Save
            </Button>
            {saved ? <Typography.Text type="success">Saved.</Typography.Text> : null}
          </Space>
        </Form>
      ) : null}
      <div style={{ marginTop: 12 }}>
        <Failure error={error} />
      </div>
    </Card>
  );
}

const check = (name: string, label: string) => (
  <Form.Item name={name} valuePropName="checked" style={{ marginBottom: 4 }}>
    <Checkbox>{label}</Checkbox>
  </Form.Item>
);

interface RootKey {
  AccessKeyId: string;
  Status: string;
  CreateDate?: string;
}

/** The root's own AccessKeys: programs should use a RAM user or a role instead. */
function RootKeys() {
  const keys = useLoad(async () =>
    listOf<RootKey>(await call('ram', 'ListAccessKeys'), 'AccessKeys', 'AccessKey'),
  );
  const [error, setError] = useState<unknown>();
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
    keys.reload();
  };
  return (
    <Card title="Root AccessKeys">
      <Typography.Paragraph>
        An AccessKey of the root can do anything in the account. Give programs a RAM user or a role instead.
      </Typography.Paragraph>
      <Failure error={keys.error ?? error} />
      <Table<RootKey>
        rowKey="AccessKeyId"
        size="small"
        pagination={false}
        dataSource={keys.data ?? []}
        locale={{ emptyText: 'The root has no AccessKey.' }}
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
                        UserAccessKeyId: k.AccessKeyId,
                        Status: k.Status === 'Active' ? 'Inactive' : 'Active',
                      }),
                    )
                  }
                >
                  {k.Status === 'Active' ? 'Disable' : 'Enable'}
                </Button>
                <Popconfirm
                  title="Delete this root AccessKey?"
                  onConfirm={() =>
                    act(() => call('ram', 'DeleteAccessKey', { UserAccessKeyId: k.AccessKeyId }))
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
  );
}

export function SettingsPage({ session }: { session: Session }) {
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%', maxWidth: 860 }}>
      <Typography.Title level={2}>Settings</Typography.Title>
      {session.Principal.Type === 'Root' ? <RootKeys /> : null}
      <SettingsCard
        title="Account alias"
        name="alias"
        load={async () => ({ AccountAlias: (await call('ram', 'GetAccountAlias')).AccountAlias })}
        save={(v) => call('ram', 'SetAccountAlias', { AccountAlias: String(v.AccountAlias ?? '') })}
      >
        <Form.Item
          label="Alias (logon names end with @<alias>.onaliyun.com)"
          name="AccountAlias"
          rules={[{ required: true }]}
        >
          <Input />
        </Form.Item>
      </SettingsCard>
      <SettingsCard
        title="Password policy"
        name="password-policy"
        load={async () => (await call('ram', 'GetPasswordPolicy')).PasswordPolicy as Values}
        save={(v) => call('ram', 'SetPasswordPolicy', v as Record<string, number | boolean>)}
      >
        <Space wrap size="large">
          <Form.Item label="Minimum length" name="MinimumPasswordLength">
            <InputNumber min={8} max={32} />
          </Form.Item>
          <Form.Item label="Failed logons before lock-out (0: none)" name="MaxLoginAttemps">
            <InputNumber min={0} max={32} />
          </Form.Item>
          <Form.Item label="Earlier passwords refused" name="PasswordReusePrevention">
            <InputNumber min={0} max={24} />
          </Form.Item>
          <Form.Item label="Maximum age in days (0: none)" name="MaxPasswordAge">
            <InputNumber min={0} max={1095} />
          </Form.Item>
        </Space>
        {check('RequireLowercaseCharacters', 'Require a lower-case letter')}
        {check('RequireUppercaseCharacters', 'Require an upper-case letter')}
        {check('RequireNumbers', 'Require a digit')}
        {check('RequireSymbols', 'Require a symbol')}
        {check('HardExpiry', 'An expired password can only be reset by an administrator')}
      </SettingsCard>
      <SettingsCard
        title="Security preference"
        name="security-preference"
        load={async () => {
          const r = await call('ims', 'GetSecurityPreference');
          const s = r.SecurityPreference as Record<string, Values>;
          return {
            ...s.LoginProfilePreference,
            ...s.AccessKeyPreference,
            ...s.MFAPreference,
          };
        }}
        save={(v) =>
          call('ims', 'SetSecurityPreference', {
            AllowUserToChangePassword: v.AllowUserToChangePassword === true,
            AllowUserToManageAccessKeys: v.AllowUserToManageAccessKeys === true,
            AllowUserToManageMFADevices: v.AllowUserToManageMFADevices === true,
            EnableSaveMFATicket: v.EnableSaveMFATicket === true,
            LoginSessionDuration: v.LoginSessionDuration as number,
            LoginNetworkMasks: String(v.LoginNetworkMasks ?? ''),
            MFAOperationForLogin: v.MFAOperationForLogin as string,
          })
        }
      >
        <Space wrap size="large">
          <Form.Item label="Console session (hours)" name="LoginSessionDuration">
            <InputNumber min={1} max={24} />
          </Form.Item>
          <Form.Item label="MFA at logon" name="MFAOperationForLogin">
            <Select
              style={{ width: 260 }}
              options={[
                { value: 'independent', label: 'As each user chooses' },
                { value: 'mandatory', label: 'Required for every RAM user' },
                { value: 'adaptive', label: 'Adaptive' },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item label="Networks allowed to sign in (CIDR, separated by ;)" name="LoginNetworkMasks">
          <Input placeholder="10.0.0.0/8;192.168.1.0/24" />
        </Form.Item>
        {check('AllowUserToChangePassword', 'Users may change their own password')}
        {check('AllowUserToManageAccessKeys', 'Users may manage their own AccessKeys')}
        {check('AllowUserToManageMFADevices', 'Users may manage their own MFA devices')}
        {check('EnableSaveMFATicket', 'Remember MFA for 7 days')}
      </SettingsCard>
    </Space>
  );
}
