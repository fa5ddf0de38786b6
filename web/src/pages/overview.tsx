/**
 * The account's security state at a glance, each item with a link to fix it: the root's
 * MFA and AccessKeys, users with console access but no MFA (neither a virtual MFA device nor a
 * security key), old and unused AccessKeys, and the password policy's strength.
 */
import { Alert, Card, List, Space, Statistic, Tag, Typography } from 'antd';
import { ApiFailure, call, listAll, type Session } from '../api';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';
import { Link } from '../router';

interface Practice {
  BindMfa?: boolean;
  RootWithAccessKey?: number | boolean;
  SubUser?: number;
  SubUserBindMfa?: number;
  SubUserPwdLevel?: number | string;
  OldAkNum?: number;
  UnusedAkNum?: number;
  SubUserWithOldAccessKey?: number;
  SubUserWithUnusedAccessKey?: number;
}

interface UserRow {
  UserName: string;
}

async function usersWithoutMfa(): Promise<string[]> {
  const users = await listAll<UserRow>('ram', 'ListUsers', 'Users', 'User');
  const devices = await listAll<{ User?: { UserName: string } }>(
    'ram',
    'ListVirtualMFADevices',
    'VirtualMFADevices',
    'VirtualMFADevice',
  );
  // A security key is MFA too (it answers the logon's MFA step).
  const keys = await call<{ SecurityKeys?: { UserName?: string }[] }>('rampart', 'ListSecurityKeys');
  const withMfa = new Set([
    ...devices.filter((d) => d.User).map((d) => d.User!.UserName.toLowerCase()),
    ...(keys.SecurityKeys ?? []).filter((k) => k.UserName).map((k) => k.UserName!.toLowerCase()),
  ]);
  const out: string[] = [];
  await Promise.all(
    users
      .filter((u) => !withMfa.has(u.UserName.toLowerCase()))
      .slice(0, 200)
      .map(async (u) => {
        try {
          await call('ram', 'GetLoginProfile', { UserName: u.UserName });
          out.push(u.UserName);
        } catch (e) {
          if (!(e instanceof ApiFailure) || !e.code.startsWith('EntityNotExist')) throw e;
        }
      }),
  );
  return out.sort();
}

async function loadOverview() {
  const report = await call('ims', 'GetAccountSecurityPracticeReport');
  const info = report.AccountSecurityPracticeInfo as {
    Score?: number;
    AccountSecurityPracticeUserInfo?: Practice;
  };
  return {
    score: info.Score,
    practice: info.AccountSecurityPracticeUserInfo ?? {},
    noMfa: await usersWithoutMfa(),
  };
}

interface Item {
  readonly ok: boolean;
  readonly title: string;
  readonly detail: string;
  readonly fix?: { to: string; label: string };
}

export function OverviewPage({ session }: { session: Session }) {
  const { data, error } = useLoad(loadOverview);
  const p = data?.practice;
  const rootKeys = Number(p?.RootWithAccessKey ?? 0);
  const items: Item[] = p
    ? [
        {
          ok: p.BindMfa === true,
          title: 'Root MFA',
          detail: p.BindMfa
            ? 'The root has an MFA device or a security key.'
            : 'The root has no MFA device and no security key.',
          ...(p.BindMfa ? {} : { fix: { to: '/welcome', label: 'Bind an MFA device' } }),
        },
        {
          ok: rootKeys === 0,
          title: 'Root AccessKeys',
          detail:
            rootKeys === 0
              ? 'The root has no AccessKey.'
              : 'The root has an AccessKey: give programs a RAM user or a role instead, and delete it.',
          ...(rootKeys === 0 ? {} : { fix: { to: '/settings', label: 'Review the root AccessKeys' } }),
        },
        {
          ok: data.noMfa.length === 0,
          title: 'Console users without MFA',
          detail:
            data.noMfa.length === 0
              ? 'Every user with console access has MFA.'
              : `${data.noMfa.length} user(s) with console access have no MFA: ${data.noMfa.slice(0, 10).join(', ')}`,
          ...(data.noMfa.length === 0 ? {} : { fix: { to: '/settings', label: 'Require MFA at logon' } }),
        },
        {
          ok: Number(p.OldAkNum ?? 0) === 0,
          title: 'AccessKeys older than 90 days',
          detail: `${p.OldAkNum ?? 0} AccessKey(s) of ${p.SubUserWithOldAccessKey ?? 0} user(s).`,
          ...(Number(p.OldAkNum ?? 0) === 0 ? {} : { fix: { to: '/users', label: 'Rotate them' } }),
        },
        {
          ok: Number(p.UnusedAkNum ?? 0) === 0,
          title: 'Unused AccessKeys',
          detail: `${p.UnusedAkNum ?? 0} AccessKey(s) of ${p.SubUserWithUnusedAccessKey ?? 0} user(s) not used for 90 days.`,
          ...(Number(p.UnusedAkNum ?? 0) === 0
            ? {}
            : { fix: { to: '/users', label: 'Disable or delete them' } }),
        },
        {
          ok: String(p.SubUserPwdLevel ?? 'weak').toLowerCase() !== 'weak',
          title: 'Password policy strength',
          detail: `Level ${String(p.SubUserPwdLevel ?? '?')}.`,
          fix: { to: '/settings', label: 'Edit the password policy' },
        },
      ]
    : [];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Overview</Typography.Title>
      {!session.MFAPresent && session.Principal.Type === 'Root' ? (
        <Alert type="warning" showIcon title="This session was opened without MFA." />
      ) : null}
      <Failure error={error} />
      {data ? (
        <Space size="large" wrap>
          <Card>
            <Statistic title="Security score" value={data.score ?? 0} suffix="/ 100" />
          </Card>
          <Card>
            <Statistic title="RAM users" value={p?.SubUser ?? 0} />
          </Card>
          <Card>
            <Statistic title="Users with MFA" value={p?.SubUserBindMfa ?? 0} />
          </Card>
        </Space>
      ) : null}
      {data ? (
        <Card title="Security state" data-testid="security-state">
          <List
            dataSource={items}
            renderItem={(i) => (
              <List.Item
                actions={
                  i.fix
                    ? [
                        <Link key="fix" to={i.fix.to}>
                          {i.fix.label}
                        </Link>,
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={
                    <Space>
                      {i.ok ? <Tag color="green">OK</Tag> : <Tag color="orange">To fix</Tag>}
                      {i.title}
                    </Space>
                  }
                  description={i.detail}
                />
              </List.Item>
            )}
          />
        </Card>
      ) : null}
    </Space>
  );
}
