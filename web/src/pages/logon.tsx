/**
 * The sign-in page: the logon form (the root or a RAM user, `name@alias`), then each step
 * the server asks for (MFA code or security key, a new password, binding a virtual MFA
 * device with its QR code), until a session is set.
 */
import { Alert, Button, Card, Checkbox, Divider, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { ApiFailure, logonPost, userSsoStatus, type Session } from '../api';
import { Failure } from '../components/failure';
import { SecurityKeyStep } from '../components/webauthn';

interface Step {
  readonly Step: 'MFA' | 'ChangePassword' | 'BindMFA';
  readonly StepToken: string;
  readonly VirtualMFADevice?: {
    readonly SerialNumber: string;
    readonly Base32StringSeed: string;
    readonly QRCodePng: string;
  };
  /** An MFA step the person may remember on this browser for 7 days (EnableSaveMFATicket). */
  readonly CanRememberMFA?: boolean;
}

/** A failure phrased for the person at the sign-in form. */
function logonMessage(e: unknown): unknown {
  if (!(e instanceof ApiFailure)) return e;
  if (e.code === 'AuthenticationFail.Logon') {
    return new Error('The login name or the password is not correct, or this logon is locked or disabled.');
  }
  if (e.code === 'Forbidden.LoginNetwork') {
    return new Error('Your network address is not allowed to sign in to this account (LoginNetworkMasks).');
  }
  if (e.code === 'Throttling.User') return new Error(`Too many failed attempts. ${e.message}`);
  if (e.code === 'InvalidStepToken') return new Error('This step has expired. Please sign in again.');
  if (e.code === 'PasswordLogonDisabled.SsoEnabled') {
    return new Error(
      'This account signs its RAM users in with single sign-on: use "Sign in with SSO" below.',
    );
  }
  return e;
}

/** SP-initiated single sign-on: the account's identity provider, when the account has one. */
function SsoSignIn({ setError }: { setError: (e: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const start = async (tenant: string): Promise<void> => {
    setBusy(true);
    try {
      const status = await userSsoStatus(tenant.trim());
      if (status.Enabled && status.StartUrl) {
        window.location.assign(status.StartUrl);
        return;
      }
      setError(new Error('Single sign-on is not enabled for this account.'));
    } catch (e) {
      setError(
        e instanceof ApiFailure && e.code === 'InvalidApi.NotFound'
          ? new Error('No account has this alias or ID.')
          : e,
      );
    }
    setBusy(false);
  };
  return (
    <Form layout="inline" name="sso" onFinish={(v: { Tenant: string }) => void start(v.Tenant)}>
      <Form.Item
        name="Tenant"
        label="Account alias or ID"
        rules={[{ required: true, message: 'Enter the account alias or ID' }]}
      >
        <Input autoComplete="organization" />
      </Form.Item>
      <Button htmlType="submit" loading={busy}>
        Sign in with SSO
      </Button>
    </Form>
  );
}

export function LogonPage({ onSession }: { onSession: (s: Session) => void }) {
  const [step, setStep] = useState<Step | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const outcome = (body: Record<string, unknown>): void => {
    setError(undefined);
    if (body.Session) {
      onSession(body.Session as Session);
      return;
    }
    if (body.Step) setStep(body as unknown as Step);
  };
  const submit = async (path: string, body: Record<string, unknown>): Promise<void> => {
    setBusy(true);
    try {
      outcome(await logonPost(path, body));
    } catch (e) {
      // A spent or expired step sends the person back to the form.
      if (
        e instanceof ApiFailure &&
        (e.code === 'InvalidStepToken' || e.code === 'CheckAuthenticationCodeFail')
      ) {
        if (e.code === 'InvalidStepToken' || step?.Step === 'MFA') setStep(undefined);
      }
      setError(logonMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="logon">
      <Card className="logon-card" title={<Typography.Title level={3}>Sign in to Rampart</Typography.Title>}>
        {!step ? (
          <>
            <Form
              layout="vertical"
              name="logon"
              onFinish={(v: { LoginName: string; Password: string }) => void submit('/logon', v)}
            >
              <Form.Item
                label="Login name"
                name="LoginName"
                extra="root@<alias>.onaliyun.com, or <user>@<alias>.onaliyun.com (or @<your auxiliary domain>) for a RAM user"
                rules={[{ required: true, message: 'Enter your login name' }]}
              >
                <Input autoComplete="username" autoFocus />
              </Form.Item>
              <Form.Item
                label="Password"
                name="Password"
                rules={[{ required: true, message: 'Enter your password' }]}
              >
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                Sign in
              </Button>
            </Form>
            <Divider plain>or</Divider>
            <SsoSignIn setError={setError} />
          </>
        ) : step.Step === 'MFA' ? (
          <MfaStep
            step={step}
            busy={busy}
            submit={submit}
            outcome={outcome}
            setError={(e) => {
              setError(logonMessage(e));
              if (e instanceof ApiFailure && e.code === 'CheckAuthenticationCodeFail') setStep(undefined);
            }}
          />
        ) : step.Step === 'ChangePassword' ? (
          <Form
            layout="vertical"
            name="change-password"
            onFinish={(v: { NewPassword: string }) =>
              void submit('/logon/password', { StepToken: step.StepToken, NewPassword: v.NewPassword })
            }
          >
            <Alert type="info" showIcon title="You must set a new password before you continue." />
            <Form.Item
              label="New password"
              name="NewPassword"
              rules={[{ required: true, message: 'Enter a new password' }]}
              style={{ marginTop: 16 }}
            >
              <Input.Password autoComplete="new-password" autoFocus />
            </Form.Item>
            <Form.Item
              label="Confirm the new password"
              name="Confirm"
              dependencies={['NewPassword']}
              rules={[
                { required: true, message: 'Confirm the new password' },
                ({ getFieldValue }) => ({
                  validator: (_, value) =>
                    value === getFieldValue('NewPassword')
                      ? Promise.resolve()
                      : Promise.reject(new Error('The two passwords differ')),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              Set the password
            </Button>
          </Form>
        ) : (
          <BindStep step={step} busy={busy} submit={submit} />
        )}
        {error ? (
          <div style={{ marginTop: 16 }}>
            <Failure error={error} />
          </div>
        ) : null}
      </Card>
    </main>
  );
}

function MfaStep({
  step,
  busy,
  submit,
  outcome,
  setError,
}: {
  step: Step;
  busy: boolean;
  submit: (path: string, body: Record<string, unknown>) => Promise<void>;
  outcome: (body: Record<string, unknown>) => void;
  setError: (e: unknown) => void;
}) {
  const [remember, setRemember] = useState(false);
  // Sent only when the account allows it: the server decides, the box only asks.
  const rememberField = step.CanRememberMFA ? { RememberMFA: remember } : {};
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form
        layout="vertical"
        name="mfa"
        onFinish={(v: { AuthenticationCode: string }) =>
          void submit('/logon/mfa', {
            StepToken: step.StepToken,
            AuthenticationCode: v.AuthenticationCode,
            ...rememberField,
          })
        }
      >
        <Form.Item
          label="MFA code"
          name="AuthenticationCode"
          extra="The 6-digit code of your MFA application"
          rules={[
            { required: true, pattern: /^\d{6}$/, message: 'Enter the 6 digits of your MFA application' },
          ]}
        >
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
        </Form.Item>
        {step.CanRememberMFA ? (
          <Form.Item>
            <Checkbox checked={remember} onChange={(e) => setRemember(e.target.checked)}>
              Remember this device for 7 days
            </Checkbox>
          </Form.Item>
        ) : null}
        <Button type="primary" htmlType="submit" block loading={busy}>
          Verify
        </Button>
      </Form>
      <Divider plain>or</Divider>
      <SecurityKeyStep
        stepToken={step.StepToken}
        extra={rememberField}
        onOutcome={outcome}
        onError={setError}
      />
    </Space>
  );
}

function BindStep({
  step,
  busy,
  submit,
}: {
  step: Step;
  busy: boolean;
  submit: (path: string, body: Record<string, unknown>) => Promise<void>;
}) {
  const device = step.VirtualMFADevice;
  if (!device) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon title="Your account requires an MFA device. Bind one to continue." />
        <Button
          type="primary"
          block
          loading={busy}
          onClick={() => void submit('/logon/bind-mfa', { StepToken: step.StepToken })}
        >
          Create an MFA device
        </Button>
      </Space>
    );
  }
  return (
    <MfaBinding
      device={device}
      busy={busy}
      onCodes={(code1, code2) =>
        void submit('/logon/bind-mfa', {
          StepToken: step.StepToken,
          AuthenticationCode1: code1,
          AuthenticationCode2: code2,
        })
      }
    />
  );
}

/** The QR code and secret of a new virtual MFA device, and the two consecutive codes. */
export function MfaBinding({
  device,
  busy,
  onCodes,
}: {
  device: { SerialNumber: string; Base32StringSeed: string; QRCodePng: string };
  busy: boolean;
  onCodes: (code1: string, code2: string) => void;
}) {
  const png = device.QRCodePng.startsWith('data:')
    ? device.QRCodePng
    : `data:image/png;base64,${device.QRCodePng}`;
  return (
    <Form
      layout="vertical"
      name="bind-mfa"
      onFinish={(v: { AuthenticationCode1: string; AuthenticationCode2: string }) =>
        onCodes(v.AuthenticationCode1, v.AuthenticationCode2)
      }
    >
      <Typography.Paragraph>
        Scan this QR code with an authenticator application, then enter two consecutive codes.
      </Typography.Paragraph>
      <div className="qr">
        <img src={png} alt="QR code of the new MFA device" width={200} height={200} data-testid="mfa-qr" />
      </div>
      <Typography.Paragraph>
        Or enter the secret by hand:{' '}
        <Typography.Text code copyable data-testid="mfa-secret">
          {device.Base32StringSeed}
        </Typography.Text>
      </Typography.Paragraph>
      <Space>
        <Form.Item
          label="First code"
          name="AuthenticationCode1"
          rules={[{ required: true, pattern: /^\d{6}$/, message: '6 digits' }]}
        >
          <Input inputMode="numeric" maxLength={6} />
        </Form.Item>
        <Form.Item
          label="Next code"
          name="AuthenticationCode2"
          rules={[{ required: true, pattern: /^\d{6}$/, message: '6 digits' }]}
        >
          <Input inputMode="numeric" maxLength={6} />
        </Form.Item>
      </Space>
      <Button type="primary" htmlType="submit" block loading={busy}>
        Bind the device
      </Button>
    </Form>
  );
}
