/**
 * Security keys and passkeys (WebAuthn): using one as the MFA step of a logon, and
 * registering one's own from a session. The browser talks to the authenticator; the server
 * issues the challenges and verifies the answers.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { Button, Input, List, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { logonPost } from '../api';
import { Failure } from './failure';
import { useLoad } from './use-load';

type Json = Record<string, unknown>;

export function SecurityKeyStep({
  stepToken,
  extra = {},
  onOutcome,
  onError,
}: {
  stepToken: string;
  /** More fields of the MFA step (RememberMFA). */
  extra?: Json;
  onOutcome: (body: Json) => void;
  onError: (e: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const use = async (): Promise<void> => {
    setBusy(true);
    try {
      const { Options } = await logonPost('/logon/webauthn/options', { StepToken: stepToken });
      const answer = await startAuthentication({ optionsJSON: Options as never });
      onOutcome(await logonPost('/logon/mfa', { StepToken: stepToken, WebAuthnResponse: answer, ...extra }));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button block onClick={() => void use()} loading={busy}>
      Use a security key or passkey
    </Button>
  );
}

interface Credential {
  CredentialId: string;
  Name: string;
  CreateDate: string;
  LastUsedDate?: string;
}

async function listKeys(): Promise<Credential[]> {
  const res = await fetch('/logon/webauthn/credentials', { credentials: 'same-origin' });
  const body = (await res.json()) as { Credentials?: Credential[] };
  return body.Credentials ?? [];
}

export function SecurityKeys() {
  const keys = useLoad(listKeys);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const register = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const { Options } = await logonPost('/logon/webauthn/register-options');
      const answer = await startRegistration({ optionsJSON: Options as never });
      await logonPost('/logon/webauthn/register', { Response: answer, Name: name });
      setName('');
      keys.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string): Promise<void> => {
    try {
      await logonPost('/logon/webauthn/delete', { CredentialId: id });
      keys.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <List
        size="small"
        bordered
        data-testid="security-keys"
        locale={{ emptyText: 'No security key yet.' }}
        dataSource={keys.data ?? []}
        renderItem={(k) => (
          <List.Item
            actions={[
              <Popconfirm
                key="remove"
                title="Remove this security key?"
                onConfirm={() => remove(k.CredentialId)}
              >
                <Button size="small" danger>
                  Remove
                </Button>
              </Popconfirm>,
            ]}
          >
            <Space orientation="vertical" size={0}>
              <Typography.Text strong>{k.Name}</Typography.Text>
              <Typography.Text type="secondary">
                Added {k.CreateDate}
                {k.LastUsedDate ? `, last used ${k.LastUsedDate}` : ''}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Space>
        <Input
          aria-label="Security key name"
          placeholder="A name, e.g. YubiKey"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
        />
        <Button onClick={() => void register()} loading={busy}>
          Add a security key
        </Button>
      </Space>
      <Failure error={error} />
    </Space>
  );
}
