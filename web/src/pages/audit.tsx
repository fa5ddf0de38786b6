/** The audit log: ActionTrail LookupEvents with filters, newest first, and each event's detail. */
import { Button, Drawer, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { call } from '../api';
import { Failure } from '../components/failure';

type Event = Record<string, unknown> & {
  eventId?: string;
  eventTime?: string;
  eventName?: string;
  eventType?: string;
  serviceName?: string;
  sourceIpAddress?: string;
  errorCode?: string;
  userIdentity?: { userName?: string; principalId?: string; type?: string };
};

interface Filter {
  key?: string;
  value?: string;
}

const KEYS = [
  'EventName',
  'User',
  'ServiceName',
  'EventRW',
  'EventType',
  'ResourceName',
  'SourceIpAddress',
  'EventId',
];

export function AuditPage() {
  const [events, setEvents] = useState<Event[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [filter, setFilter] = useState<Filter>({});
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [shown, setShown] = useState<Event | undefined>();

  const load = async (f: Filter, token?: string): Promise<void> => {
    setLoading(true);
    try {
      const r = await call('actiontrail', 'LookupEvents', {
        MaxResults: 50,
        NextToken: token,
        ...(f.key && f.value ? { 'LookupAttribute.1.Key': f.key, 'LookupAttribute.1.Value': f.value } : {}),
      });
      const page = Array.isArray(r.Events) ? (r.Events as Event[]) : [];
      setEvents(token ? (prev) => [...prev, ...page] : page);
      setNext(typeof r.NextToken === 'string' && r.NextToken !== '' ? r.NextToken : undefined);
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load({});
  }, []);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Audit log</Typography.Title>
      <Form
        layout="inline"
        name="audit-filter"
        onFinish={(f: Filter) => {
          setFilter(f);
          void load(f);
        }}
      >
        <Form.Item name="key" label="Filter">
          <Select allowClear style={{ width: 180 }} options={KEYS.map((k) => ({ value: k, label: k }))} />
        </Form.Item>
        <Form.Item name="value">
          <Input aria-label="Filter value" placeholder="value" />
        </Form.Item>
        <Button htmlType="submit">Search</Button>
      </Form>
      <Failure error={error} />
      <Table<Event>
        rowKey={(e) => String(e.eventId)}
        loading={loading}
        dataSource={events}
        pagination={false}
        size="small"
        scroll={{ x: 'max-content' }}
        onRow={(e) => ({ onClick: () => setShown(e) })}
        columns={[
          {
            title: 'Time',
            dataIndex: 'eventTime',
            render: (t: string) => <span className="nowrap">{t}</span>,
          },
          { title: 'Event', dataIndex: 'eventName' },
          { title: 'Type', dataIndex: 'eventType' },
          { title: 'Service', dataIndex: 'serviceName' },
          {
            title: 'Who',
            render: (_: unknown, e) => e.userIdentity?.userName ?? e.userIdentity?.principalId ?? '',
          },
          { title: 'Source', dataIndex: 'sourceIpAddress' },
          {
            title: 'Result',
            render: (_: unknown, e) => (e.errorCode ? <Tag color="red">{e.errorCode}</Tag> : <Tag>OK</Tag>),
          },
          {
            title: '',
            render: (_: unknown, e) => (
              <Button size="small" onClick={() => setShown(e)}>
                Detail
              </Button>
            ),
          },
        ]}
      />
      {next ? (
        <Button onClick={() => void load(filter, next)} style={{ width: 'fit-content' }}>
          More
        </Button>
      ) : null}
      <Drawer open={shown !== undefined} onClose={() => setShown(undefined)} title="Event" size="large">
        <pre className="json">{JSON.stringify(shown, null, 2)}</pre>
      </Drawer>
    </Space>
  );
}
