/** Attaching a policy (System or Custom) to a user, a group or a role. */
import { Button, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { call, listAll } from '../api';
import { Failure } from './failure';
import { useLoad } from './use-load';

interface PolicyRow {
  PolicyName: string;
  PolicyType: string;
  Description?: string;
}

export function AttachPolicy({
  target,
  name,
  onDone,
}: {
  target: 'User' | 'Group' | 'Role';
  name: string;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const policies = useLoad(() => listAll<PolicyRow>('ram', 'ListPolicies', 'Policies', 'Policy'));
  const attach = async (): Promise<void> => {
    if (!choice) return;
    const [type, policyName] = choice.split(':') as [string, string];
    try {
      await call('ram', `AttachPolicyTo${target}`, {
        PolicyType: type,
        PolicyName: policyName,
        [`${target}Name`]: name,
      });
      setOpen(false);
      setChoice(undefined);
      setError(undefined);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Attach a policy</Button>
      <Modal
        open={open}
        title={`Attach a policy to ${name}`}
        onCancel={() => setOpen(false)}
        onOk={() => void attach()}
        okText="Attach"
        okButtonProps={{ disabled: !choice }}
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            aria-label="Policy"
            placeholder="Choose a policy"
            style={{ width: '100%' }}
            value={choice}
            onChange={setChoice}
            options={(policies.data ?? []).map((p) => ({
              value: `${p.PolicyType}:${p.PolicyName}`,
              label: `${p.PolicyName} (${p.PolicyType})`,
            }))}
          />
          <Failure error={policies.error ?? error} />
        </Space>
      </Modal>
    </>
  );
}
