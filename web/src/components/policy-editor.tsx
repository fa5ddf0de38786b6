/**
 * A policy document editor with live validation and lint: the same engine as the server
 * (src/policy, bundled for the browser) checks the text at each change, so a problem shows
 * before the document is sent. The server still validates everything it receives.
 */
import { Alert, Input, List, Space, Tag } from 'antd';
import { useMemo } from 'react';
import { lintPolicy, validatePolicy, type PolicyIssue, type PolicyKind } from '../../../src/policy/index';

export function policyIssues(text: string, kind: PolicyKind): PolicyIssue[] {
  if (text.trim() === '') return [];
  const errors = validatePolicy(text, kind);
  if (errors.length > 0) return errors;
  try {
    return lintPolicy(text, kind);
  } catch {
    return [];
  }
}

export function PolicyEditor({
  value,
  onChange,
  kind,
  label,
}: {
  value: string;
  onChange: (text: string) => void;
  kind: PolicyKind;
  label: string;
}) {
  const issues = useMemo(() => policyIssues(value, kind), [value, kind]);
  const errors = issues.filter((i) => i.severity === 'error');
  return (
    <Space orientation="vertical" style={{ width: '100%' }} className="policy-text">
      <Input.TextArea
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoSize={{ minRows: 10, maxRows: 28 }}
        spellCheck={false}
        status={errors.length > 0 ? 'error' : undefined}
      />
      {value.trim() === '' ? null : issues.length === 0 ? (
        <Alert type="success" showIcon title="The document is valid." data-testid="policy-valid" />
      ) : (
        <List
          size="small"
          bordered
          data-testid="policy-issues"
          dataSource={issues}
          renderItem={(i) => (
            <List.Item>
              <Space wrap>
                <Tag color={i.severity === 'error' ? 'red' : 'gold'}>{i.severity}</Tag>
                {i.path ? <code>{i.path}</code> : null}
                <span>{i.message}</span>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Space>
  );
}

/** Whether a document has an error the server would refuse. */
export function hasPolicyErrors(text: string, kind: PolicyKind): boolean {
  return validatePolicy(text, kind).length > 0;
}
