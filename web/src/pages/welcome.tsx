/**
 * Securing one's own logon: change the password (for the root, the generated one of the
 * first start) and bind a virtual MFA device. Both are recommended and can be skipped.
 */
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { logonPost, type NewMfaDevice } from '../api';
import { Failure } from '../components/failure';
import { navigate } from '../router';
import { MfaBinding } from '../components/mfa-binding';
import { SecurityKeys } from '../components/webauthn';

type Device = NewMfaDevice;

export function WelcomePage() {
  const [passwordDone, setPasswordDone] = useState(false);
  const [passwordError, setPasswordError] = useState<unknown>();
  const [binding, setBinding] = useState<{ token: string; device?: Device } | undefined>();
  const [mfaDone, setMfaDone] = useState(false);
  const [mfaError, setMfaError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const changePassword = async (v: { OldPassword: string; NewPassword: string }): Promise<void> => {
    setBusy(true);
    try {
      await logonPost('/logon/password', { OldPassword: v.OldPassword, NewPassword: v.NewPassword });
      setPasswordDone(true);
      setPasswordError(undefined);
    } catch (e) {
      setPasswordError(e);
    } finally {
      setBusy(false);
    }
  };
  const startBinding = async (): Promise<void> => {
    setBusy(true);
    try {
      const first = await logonPost('/logon/bind-mfa', {});
      const second = await logonPost('/logon/bind-mfa', { StepToken: first.StepToken });
      setBinding({ token: String(second.StepToken), device: second.VirtualMFADevice as Device });
      setMfaError(undefined);
    } catch (e) {
      setMfaError(e);
    } finally {
      setBusy(false);
    }
  };
  const bind = async (code1: string, code2: string): Promise<void> => {
    if (!binding) return;
    setBusy(true);
    try {
      await logonPost('/logon/bind-mfa', {
        StepToken: binding.token,
        AuthenticationCode1: code1,
        AuthenticationCode2: code2,
      });
      setMfaDone(true);
      setMfaError(undefined);
    } catch (e) {
      setMfaError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%', maxWidth: 720 }}>
      <Typography.Title level={2}>Secure your logon</Typography.Title>
      <Typography.Paragraph>
        Bind an MFA device and change the password you were given. Both are recommended; you can skip them for
        now and come back from the overview. Changing the password ends your sessions: you then sign in again.
      </Typography.Paragraph>
      <Card title="1. Bind an MFA device">
        {mfaDone ? (
          <Alert type="success" showIcon title="Your MFA device is bound." data-testid="mfa-bound" />
        ) : binding?.device ? (
          <MfaBinding device={binding.device} busy={busy} onCodes={(a, b) => void bind(a, b)} />
        ) : (
          <Button onClick={() => void startBinding()} loading={busy}>
            Create an MFA device
          </Button>
        )}
        {mfaError ? (
          <div style={{ marginTop: 12 }}>
            <Failure error={mfaError} />
          </div>
        ) : null}
      </Card>
      <Card title="Security keys and passkeys (usable instead of the MFA code)">
        <SecurityKeys />
      </Card>
      <Card title="2. Change your password">
        {passwordDone ? (
          <Alert
            type="success"
            showIcon
            data-testid="password-changed"
            title="Your password is changed. Every session of yours has ended: sign in with the new password."
            action={<Button onClick={() => location.assign('/console/')}>Sign in again</Button>}
          />
        ) : (
          <Form layout="vertical" name="own-password" onFinish={(v) => void changePassword(v)}>
            <Form.Item label="Current password" name="OldPassword" rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Form.Item label="New password" name="NewPassword" rules={[{ required: true }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              Change the password
            </Button>
          </Form>
        )}
        {passwordError ? (
          <div style={{ marginTop: 12 }}>
            <Failure error={passwordError} />
          </div>
        ) : null}
      </Card>
      {passwordDone ? null : (
        <Button onClick={() => navigate('/')}>{mfaDone ? 'Go to the overview' : 'Skip for now'}</Button>
      )}
    </Space>
  );
}
