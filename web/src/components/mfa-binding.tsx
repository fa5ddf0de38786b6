/**
 * Binding a new virtual MFA device from a session (the "Secure your logon" page): its QR
 * code and secret, then two consecutive codes. The sign-in page has its own, without antd.
 */
import { Button, Form, Input, Space, Typography } from 'antd';
import { qrCodeSrc, type NewMfaDevice } from '../api';

/** The QR code and secret of a new virtual MFA device, and the two consecutive codes. */
export function MfaBinding({
  device,
  busy,
  onCodes,
}: {
  device: NewMfaDevice;
  busy: boolean;
  onCodes: (code1: string, code2: string) => void;
}) {
  const png = qrCodeSrc(device);
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
