/**
 * The Resource Directory of the account (ResourceManager 2020-03-31): folders, member accounts
 * and the control policies attached to each, read through the API as any client reads them.
 */
import { Alert, Space, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { ApiFailure, call, listOf } from '../api';
import { Failure } from '../components/failure';
import { useLoad } from '../components/use-load';

interface Directory {
  ResourceDirectoryId: string;
  RootFolderId: string;
  MasterAccountId: string;
  ControlPolicyStatus?: string;
}

async function policiesOf(target: string): Promise<string[]> {
  const r = await call('resourcemanager', 'ListControlPolicyAttachmentsForTarget', { TargetId: target });
  return listOf<{ PolicyName: string }>(r, 'ControlPolicyAttachments', 'ControlPolicyAttachment').map(
    (p) => p.PolicyName,
  );
}

function label(name: string, kind: string, policies: string[]) {
  return (
    <span>
      <Tag>{kind}</Tag>
      {name}
      {policies.map((p) => (
        <Tag key={p} color="blue" style={{ marginLeft: 6 }}>
          {p}
        </Tag>
      ))}
    </span>
  );
}

/** One folder with its folders and accounts, depth first (five levels at most). */
async function folderNode(id: string, name: string, depth: number): Promise<DataNode> {
  const [folders, accounts, policies] = await Promise.all([
    call('resourcemanager', 'ListFoldersForParent', { ParentFolderId: id, PageSize: 100 }),
    call('resourcemanager', 'ListAccountsForParent', { ParentFolderId: id, PageSize: 100 }),
    policiesOf(id),
  ]);
  const children: DataNode[] = [];
  if (depth < 6) {
    for (const f of listOf<{ FolderId: string; FolderName: string }>(folders, 'Folders', 'Folder')) {
      children.push(await folderNode(f.FolderId, f.FolderName, depth + 1));
    }
  }
  for (const a of listOf<{ AccountId: string; DisplayName: string }>(accounts, 'Accounts', 'Account')) {
    children.push({
      key: a.AccountId,
      title: label(`${a.DisplayName} (${a.AccountId})`, 'account', await policiesOf(a.AccountId)),
      isLeaf: true,
    });
  }
  return { key: id, title: label(name, depth === 0 ? 'root' : 'folder', policies), children };
}

async function loadTree(): Promise<{ directory: Directory; tree: DataNode } | undefined> {
  let directory: Directory;
  try {
    directory = (await call<{ ResourceDirectory: Directory }>('resourcemanager', 'GetResourceDirectory'))
      .ResourceDirectory;
  } catch (e) {
    if (e instanceof ApiFailure && e.code === 'EntityNotExists.ResourceDirectory') return undefined;
    throw e;
  }
  return { directory, tree: await folderNode(directory.RootFolderId, 'Root', 0) };
}

export function OrganizationPage() {
  const loaded = useLoad(loadTree, []);
  const d = loaded.data;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>Organization</Typography.Title>
      <Failure error={loaded.error} />
      {!loaded.loading && !loaded.error && !d ? (
        <Alert
          type="info"
          title="This account has no resource directory. Its root can create one with EnableResourceDirectory (rampart resourcemanager EnableResourceDirectory)."
        />
      ) : null}
      {d ? (
        <>
          <Typography.Paragraph>
            Directory {d.directory.ResourceDirectoryId}, managed by account {d.directory.MasterAccountId};
            control policies {d.directory.ControlPolicyStatus === 'Enabled' ? 'enabled' : 'disabled'}.
          </Typography.Paragraph>
          <Tree data-testid="directory-tree" defaultExpandAll selectable={false} treeData={[d.tree]} />
        </>
      ) : null}
    </Space>
  );
}
