/**
 * Object storage: the OSS-compatible data plane seen with the session's credentials. Buckets
 * (list, create), a bucket's folders (prefix and delimiter '/', pages by marker), an object's
 * meta, upload, download and deletion. Every request is signed in the browser (web/src/oss.ts)
 * and decided by the server like an SDK's; a refusal shows its explanation.
 */
import {
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useRef, useState } from 'react';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';
import {
  createBucket,
  deleteObject,
  getObject,
  listBuckets,
  listFolder,
  objectMeta,
  putObject,
  type BucketRow,
  type ObjectMeta,
} from '../oss';
import { Link, navigate } from '../router';
import { saveBlob } from '../save-blob';

export function BucketsPage() {
  const buckets = useLoad(listBuckets);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>();
  const create = async (v: { BucketName: string }): Promise<void> => {
    try {
      await createBucket(v.BucketName.trim());
      setCreating(false);
      setError(undefined);
      buckets.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Object storage</Typography.Title>
      <Typography.Paragraph type="secondary">
        The buckets of the account on this server&apos;s OSS-compatible data plane.
      </Typography.Paragraph>
      <Button type="primary" style={{ width: 'fit-content' }} onClick={() => setCreating(true)}>
        Create bucket
      </Button>
      <Failure error={buckets.error} />
      <Table<BucketRow>
        rowKey="Name"
        loading={buckets.loading}
        dataSource={buckets.data ?? []}
        pagination={{ pageSize: 50 }}
        columns={[
          {
            title: 'Bucket',
            dataIndex: 'Name',
            render: (n: string) => <Link to={`/oss/${encodeURIComponent(n)}`}>{n}</Link>,
          },
          { title: 'Region', dataIndex: 'Location' },
          { title: 'Created', dataIndex: 'CreationDate' },
        ]}
      />
      <Modal
        open={creating}
        title="Create bucket"
        footer={null}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form layout="vertical" name="create-bucket" onFinish={(v) => void create(v)}>
          <Form.Item
            label="Bucket name"
            name="BucketName"
            extra="3 to 63 lower-case letters, digits and hyphens; unique on this server."
            rules={[{ required: true }]}
          >
            <Input />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            Create
          </Button>
        </Form>
        <Failure error={error} />
      </Modal>
    </Space>
  );
}

interface Row {
  readonly key: string;
  readonly folder: boolean;
  readonly size?: number;
  readonly lastModified?: string;
  readonly etag?: string;
}

const PAGE_SIZES = [10, 50, 100, 1000];

function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function ObjectPanel({
  bucket,
  objectKey,
  onDeleted,
}: {
  bucket: string;
  objectKey: string;
  onDeleted: () => void;
}) {
  const meta = useLoad<ObjectMeta>(() => objectMeta(bucket, objectKey), [bucket, objectKey]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const name = objectKey.slice(objectKey.lastIndexOf('/') + 1);
  const download = async (): Promise<void> => {
    setError(undefined);
    setBusy(true);
    try {
      saveBlob(await getObject(bucket, objectKey), name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (): Promise<void> => {
    setError(undefined);
    try {
      await deleteObject(bucket, objectKey);
      onDeleted();
    } catch (e) {
      setError(e);
    }
  };
  const m = meta.data;
  return (
    <Card title={objectKey} data-testid="object-panel">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Failure error={meta.error} />
        {m ? (
          <Descriptions size="small" column={1} bordered data-testid="object-meta">
            <Descriptions.Item label="Size">
              {sizeText(m.size)} ({m.size} bytes)
            </Descriptions.Item>
            <Descriptions.Item label="ETag">{m.etag}</Descriptions.Item>
            <Descriptions.Item label="Last modified">{m.lastModified}</Descriptions.Item>
            <Descriptions.Item label="Content type">{m.contentType}</Descriptions.Item>
          </Descriptions>
        ) : null}
        <Space>
          <Button onClick={() => void download()} loading={busy}>
            Download
          </Button>
          <Popconfirm
            title="Delete this object?"
            description={`${objectKey} is deleted for good.`}
            okText="Delete"
            okButtonProps={{ danger: true }}
            onConfirm={() => remove()}
          >
            <Button danger>Delete</Button>
          </Popconfirm>
        </Space>
        <Failure error={error} />
      </Space>
    </Card>
  );
}

export function BucketPage({ bucket }: { bucket: string }) {
  const [prefix, setPrefix] = useState('');
  // The markers of the pages before the current one, and the current one's.
  const [markers, setMarkers] = useState<string[]>([]);
  const [marker, setMarker] = useState('');
  const [pageSize, setPageSize] = useState(100);
  const [selected, setSelected] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [uploading, setUploading] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const listing = useLoad(
    () => listFolder(bucket, prefix, marker, pageSize),
    [bucket, prefix, marker, pageSize],
  );
  const open = (p: string): void => {
    setPrefix(p);
    setMarker('');
    setMarkers([]);
    setSelected(undefined);
  };
  const upload = async (files: FileList | null): Promise<void> => {
    const file = files?.[0];
    if (!file) return;
    setError(undefined);
    setUploading(true);
    try {
      await putObject(bucket, prefix + file.name, file);
      setSelected(prefix + file.name);
      listing.reload();
    } catch (e) {
      setError(e);
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  const rows: Row[] = listing.data
    ? [
        ...listing.data.folders.map((f) => ({ key: f, folder: true })),
        ...listing.data.objects
          .filter((o) => o.Key !== prefix)
          .map((o) => ({
            key: o.Key,
            folder: false,
            size: o.Size,
            lastModified: o.LastModified,
            etag: o.ETag,
          })),
      ]
    : [];
  const parts = prefix.split('/').filter((p) => p !== '');
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Bucket {bucket}</Typography.Title>
      <Breadcrumb
        data-testid="folder-path"
        items={[
          { title: <a onClick={() => navigate('/oss')}>Buckets</a> },
          { title: <a onClick={() => open('')}>{bucket}</a> },
          ...parts.map((p, i) => ({
            title: <a onClick={() => open(parts.slice(0, i + 1).join('/') + '/')}>{p}</a>,
          })),
        ]}
      />
      <Space wrap>
        <input
          ref={fileInput}
          type="file"
          aria-label="File to upload"
          style={{ display: 'none' }}
          onChange={(e) => void upload(e.target.files)}
        />
        <Button type="primary" loading={uploading} onClick={() => fileInput.current?.click()}>
          Upload a file
        </Button>
        <Input.Search
          aria-label="Open folder"
          placeholder="Folder, e.g. logs/2026/"
          enterButton="Open"
          style={{ width: 320 }}
          onSearch={(v) => open(v === '' || v.endsWith('/') ? v : `${v}/`)}
        />
        <span>Page size</span>
        <Select
          aria-label="Page size"
          style={{ width: 100 }}
          value={pageSize}
          onChange={(v: number) => {
            setPageSize(v);
            setMarker('');
            setMarkers([]);
          }}
          options={PAGE_SIZES.map((n) => ({ value: n, label: String(n) }))}
        />
      </Space>
      <Failure error={error} />
      <Failure error={listing.error} />
      <Table<Row>
        rowKey="key"
        loading={listing.loading}
        dataSource={rows}
        pagination={false}
        data-testid="objects"
        columns={[
          {
            title: 'Name',
            dataIndex: 'key',
            render: (k: string, r) =>
              r.folder ? (
                <a onClick={() => open(k)}>{k.slice(prefix.length)}</a>
              ) : (
                <a onClick={() => setSelected(k)}>{k.slice(prefix.length)}</a>
              ),
          },
          {
            title: 'Size',
            dataIndex: 'size',
            render: (n: number | undefined, r) => (r.folder ? 'Folder' : sizeText(n ?? 0)),
          },
          { title: 'Last modified', dataIndex: 'lastModified' },
          { title: 'ETag', dataIndex: 'etag' },
        ]}
      />
      <Space>
        <Button
          disabled={markers.length === 0}
          onClick={() => {
            setMarker(markers[markers.length - 1] ?? '');
            setMarkers(markers.slice(0, -1));
          }}
        >
          Previous page
        </Button>
        <Button
          disabled={!listing.data?.nextMarker}
          onClick={() => {
            setMarkers([...markers, marker]);
            setMarker(listing.data?.nextMarker ?? '');
          }}
        >
          Next page
        </Button>
      </Space>
      {selected ? (
        <ObjectPanel
          key={selected}
          bucket={bucket}
          objectKey={selected}
          onDeleted={() => {
            setSelected(undefined);
            listing.reload();
          }}
        />
      ) : null}
    </Space>
  );
}
