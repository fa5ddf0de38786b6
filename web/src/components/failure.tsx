/**
 * An error of the server shown as it is: its code and message, and for a refusal the
 * explanation of the denial (the action, the policy layer, implicit or explicit), with the
 * decoded diagnostic when the caller may decode it.
 */
import { Alert, Button, Descriptions, Space } from 'antd';
import { useState } from 'react';
import { ApiFailure, call } from '../api';

export function Failure({ error }: { error: unknown }) {
  const [decoded, setDecoded] = useState<Record<string, unknown> | undefined>();
  const [decodeError, setDecodeError] = useState<string | undefined>();
  if (!error) return null;
  if (!(error instanceof ApiFailure)) {
    return (
      <Alert
        type="error"
        showIcon
        role="alert"
        title={error instanceof Error ? error.message : String(error)}
      />
    );
  }
  const d = error.accessDeniedDetail;
  const decode = async (): Promise<void> => {
    try {
      const body = await call('ram', 'DecodeDiagnosticMessage', {
        EncodedDiagnosticMessage: d?.EncodedDiagnosticMessage,
      });
      setDecoded(body.DecodedDiagnosticMessage as Record<string, unknown>);
    } catch (e) {
      setDecodeError(e instanceof ApiFailure ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="failure"
      title={`${error.code}: ${error.message}`}
      description={
        d ? (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Descriptions size="small" column={1} bordered data-testid="denial">
              <Descriptions.Item label="Action">{d.AuthAction}</Descriptions.Item>
              <Descriptions.Item label="Denial">
                {d.NoPermissionType === 'ExplicitDeny'
                  ? 'ExplicitDeny: a Deny statement matched'
                  : 'ImplicitDeny: no policy allows it'}
              </Descriptions.Item>
              <Descriptions.Item label="Policy layer">{d.PolicyType}</Descriptions.Item>
              <Descriptions.Item label="Principal">
                {d.AuthPrincipalType} {d.AuthPrincipalDisplayName}
              </Descriptions.Item>
              {error.requestId ? (
                <Descriptions.Item label="Request">{error.requestId}</Descriptions.Item>
              ) : null}
            </Descriptions>
            {d.EncodedDiagnosticMessage && !decoded ? (
              <Button size="small" onClick={() => void decode()}>
                Decode the diagnostic
              </Button>
            ) : null}
            {decodeError ? <div>{decodeError}</div> : null}
            {decoded ? <pre className="json">{JSON.stringify(decoded, null, 2)}</pre> : null}
          </Space>
        ) : error.requestId ? (
          `Request ${error.requestId}`
        ) : undefined
      }
    />
  );
}
