/**
 * Security keys and passkeys (WebAuthn) from a session: registering one's own, listing and
 * removing them (using one as the MFA step of a logon is the sign-in page's, pages/logon.tsx).
 * The browser talks to the authenticator; the server issues the challenges and verifies the
 * answers.
 */
import { startRegistration } from '@simplewebauthn/browser';
import { Alert, Button, Input, List, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { logonPost } from '../api';
import { isIpHost, localhostUrl } from '../host';
import { Failure } from './failure';
import { useLoad } from './use-load';

/**
 * WebAuthn binds a key to a host name (the relying party id), which cannot be an IP address:
 * on such a page the browser refuses every ceremony. Says so, with the localhost URL of the
 * same page when the address is a loopback one; nothing on a host name.
 */
export function IpHostNotice() {
  if (!isIpHost(location.hostname)) return null;
  const local = localhostUrl(location);
  return (
    <Alert
      type="info"
      showIcon
      data-testid="webauthn-ip-host"
      title="Security keys and passkeys need a host name"
      description={
        <>
          This page was opened on the IP address {location.hostname}, which WebAuthn cannot use.{' '}
          {local ? (
            <>
              Open <a href={local}>{local}</a> instead.
            </>
          ) : (
            'Open the console by its host name (over HTTPS) instead.'
          )}
        </>
      }
    />
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
  const ip = isIpHost(location.hostname);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <IpHostNotice />
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
        <Button onClick={() => void register()} loading={busy} disabled={ip}>
          Add a security key
        </Button>
      </Space>
      <Failure error={error} />
    </Space>
  );
}
