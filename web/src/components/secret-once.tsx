/** A new AccessKey's secret, shown once, with a CSV download of the pair. */
import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { saveBlob } from '../save-blob';

export interface NewKey {
  readonly userName: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function keyCsv(k: NewKey): string {
  return `UserName,AccessKeyId,AccessKeySecret\r\n${[k.userName, k.accessKeyId, k.accessKeySecret].map(csvField).join(',')}\r\n`;
}

function download(k: NewKey): void {
  saveBlob(new Blob([keyCsv(k)], { type: 'text/csv' }), `${k.accessKeyId}.csv`);
}

export function SecretOnce({ value, onClose }: { value: NewKey | undefined; onClose: () => void }) {
  return (
    <Modal
      open={value !== undefined}
      title="AccessKey created"
      onCancel={onClose}
      footer={[
        <Button key="csv" onClick={() => value && download(value)}>
          Download CSV
        </Button>,
        <Button key="done" type="primary" onClick={onClose}>
          Done
        </Button>,
      ]}
    >
      {value ? (
        <>
          <Alert
            type="warning"
            showIcon
            title="The secret is shown only now. Copy it or download the CSV before closing."
          />
          <Descriptions column={1} size="small" style={{ marginTop: 12 }} data-testid="new-key">
            <Descriptions.Item label="User">{value.userName}</Descriptions.Item>
            <Descriptions.Item label="AccessKey ID">
              <Typography.Text copyable>{value.accessKeyId}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="AccessKey secret">
              <Typography.Text copyable data-testid="new-key-secret">
                {value.accessKeySecret}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
        </>
      ) : null}
    </Modal>
  );
}
