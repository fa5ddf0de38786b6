/**
 * The signed-in console, a chunk of its own that main.tsx imports once there is a session:
 * the navigation and the page of the current path. Every page reads and changes the account
 * through signed API calls only (api.ts), so it shows what the person's policies allow and
 * nothing more.
 */
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Space, Typography } from 'antd';
import { forgetCredentials, logonPost, type Session } from './api';
import type { SignedInProps } from './main';
import { OverviewPage } from './pages/overview';
import { WelcomePage } from './pages/welcome';
import { UsersPage, UserDetailPage } from './pages/users';
import { GroupsPage, GroupDetailPage } from './pages/groups';
import { RolesPage, RoleDetailPage } from './pages/roles';
import { PoliciesPage, PolicyDetailPage } from './pages/policies';
import { SimulatorPage } from './pages/simulator';
import { SettingsPage } from './pages/settings';
import { AuditPage } from './pages/audit';
import { AccessPage } from './pages/access';
import { OrganizationPage } from './pages/organization';
import { BucketPage, BucketsPage } from './pages/objects';
import { navigate, usePath } from './router';
import './styles.css';

const MENU = [
  { key: '/', label: 'Overview' },
  { key: '/users', label: 'Users' },
  { key: '/groups', label: 'Groups' },
  { key: '/roles', label: 'Roles' },
  { key: '/policies', label: 'Policies' },
  { key: '/simulator', label: 'Policy simulator' },
  { key: '/access', label: 'Access analysis' },
  { key: '/organization', label: 'Organization' },
  { key: '/oss', label: 'Object storage' },
  { key: '/audit', label: 'Audit log' },
  { key: '/settings', label: 'Settings' },
];

function principalName(s: Session): string {
  const p = s.Principal;
  if (p.Type === 'Root') return `root (account ${p.AccountId})`;
  if (p.Type === 'AssumedRole')
    return `${p.RoleName ?? ''}/${p.RoleSessionName ?? ''} (account ${p.AccountId})`;
  return `${p.UserName ?? ''} (account ${p.AccountId})`;
}

function page(path: string, session: Session) {
  const parts = path.split('/').filter((p) => p !== '');
  const [section, name] = [parts[0] ?? '', parts[1] ? decodeURIComponent(parts[1]) : undefined];
  switch (section) {
    case '':
      return <OverviewPage session={session} />;
    case 'welcome':
      return <WelcomePage />;
    case 'users':
      return name ? <UserDetailPage userName={name} /> : <UsersPage />;
    case 'groups':
      return name ? <GroupDetailPage groupName={name} /> : <GroupsPage />;
    case 'roles':
      return name ? <RoleDetailPage roleName={name} /> : <RolesPage />;
    case 'policies':
      return name ? (
        <PolicyDetailPage policyType={name} policyName={parts[2] ? decodeURIComponent(parts[2]) : ''} />
      ) : (
        <PoliciesPage />
      );
    case 'simulator':
      return <SimulatorPage session={session} />;
    case 'audit':
      return <AuditPage />;
    case 'access':
      return <AccessPage />;
    case 'organization':
      return <OrganizationPage />;
    case 'oss':
      return name ? <BucketPage bucket={name} /> : <BucketsPage />;
    case 'settings':
      return <SettingsPage session={session} />;
    default:
      return <Result status="404" title="No such page" />;
  }
}

export function SignedIn(props: SignedInProps) {
  return (
    <ConfigProvider theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>
        <Frame {...props} />
      </AntApp>
    </ConfigProvider>
  );
}

function Frame({ session, onSignedOut }: SignedInProps) {
  const path = usePath();
  const logoff = async (): Promise<void> => {
    try {
      await logonPost('/logoff');
    } finally {
      forgetCredentials();
      onSignedOut();
      navigate('/');
    }
  };
  const selected = '/' + (path.split('/')[1] ?? '');
  return (
    <Layout className="frame">
      <Layout.Header className="header">
        <Typography.Text strong className="brand">
          Rampart
        </Typography.Text>
        <Space>
          <Typography.Text className="who" data-testid="principal">
            {principalName(session)}
          </Typography.Text>
          {session.Principal.Type !== 'AssumedRole' && (
            <Button type="link" onClick={() => navigate('/welcome')}>
              My security
            </Button>
          )}
          <Button onClick={() => void logoff()}>Sign out</Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={220} theme="light">
          <nav aria-label="Console sections">
            <Menu
              mode="inline"
              selectedKeys={[selected === '/welcome' ? '/' : selected]}
              items={MENU}
              onClick={(e) => navigate(e.key)}
            />
          </nav>
        </Layout.Sider>
        <Layout.Content className="content" style={{ overflowX: 'auto' }}>
          <main key={path}>{page(path, session)}</main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
