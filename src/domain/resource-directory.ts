import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { apiErrorWithStatus, type ApiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import type { ControlLevelInput, PolicyInput } from '../policy/request.js';
import type { DomainContext } from './context.js';
import { defaultDomain, isoSeconds } from './common.js';
import { randomAlnum } from '../crypto/random.js';
import { isUniqueViolation } from '../store/errors.js';
import { hashPassword } from '../crypto/password-hash.js';
import { checkAlias, insertAccount } from './accounts.js';
import { insertRole } from './roles.js';
import { attachIn } from './attachments.js';
import {
  createInvitations,
  type DelegatedAdministrator,
  type DelegatedService,
  type Handshake,
  type InviteInput,
} from './resource-directory-invitations.js';

/**
 * The Resource Directory (ResourceManager 2020-03-31, docs/resource-directory.md): a
 * management account, a tree of folders under a Root folder (at most five levels), member
 * accounts in the folders. Every member is a full account of the deployment. The control
 * policies attached along a member's path bound its RAM users and role sessions
 * (control-policies.ts); every change to the tree or its attachments increases the
 * permissions version of every account of the directory, so that it is enforced on the next
 * request on every node. Existing accounts join by invitation, and a member can be the
 * delegated administrator that reads the directory (resource-directory-invitations.ts).
 */

export const MAX_FOLDER_DEPTH = 5;
export const ACCESS_ROLE_NAME = 'ResourceDirectoryAccountAccessRole';
export const ACCESS_ROLE_POLICY = 'AdministratorAccess';

/** The System control policy every node gets while control policies are enabled. */
export const FULL_ACCESS_POLICY_ID = 'cp-FullAliyunAccess';
export const FULL_ACCESS_POLICY_NAME = 'FullAliyunAccess';
export const FULL_ACCESS_DOCUMENT =
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

export interface ResourceDirectory {
  readonly directoryId: string;
  readonly rootFolderId: string;
  readonly masterAccountId: string;
  readonly masterAccountName: string;
  readonly createTime: string;
  readonly controlPolicyStatus: 'Enabled' | 'Disabled';
}

export interface Folder {
  readonly folderId: string;
  readonly folderName: string;
  /** Absent for the Root folder. */
  readonly parentFolderId?: string;
  readonly createTime: string;
  /** rd-…/r-…/fd-… */
  readonly path: string;
}

export interface MemberAccount {
  readonly accountId: string;
  /** The root's logon name. */
  readonly accountName: string;
  readonly displayName: string;
  readonly folderId: string;
  readonly type: string;
  readonly joinMethod: string;
  readonly status: string;
  readonly joinTime: string;
  readonly modifyTime: string;
  readonly directoryId: string;
  /** rd-…/r-…/fd-…/<uid> */
  readonly path: string;
}

export interface ListPage<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** A tag filter of ListAccounts / ListAccountsForParent: a key, and a value when given. */
export interface TagFilter {
  readonly key: string;
  readonly value?: string;
}

export interface Paging {
  /** From 1. */
  readonly pageNumber: number;
  readonly pageSize: number;
}

/** What the authorizer needs of the directory of a principal's account. */
export interface ControlPath {
  readonly inManagementAccount: boolean;
  /** From the member up to Root; undefined when no control policy governs the account. */
  readonly levels?: readonly ControlLevelInput[];
}

export interface CreateMemberInput {
  readonly displayName: string;
  readonly parentFolderId?: string;
  readonly accountNamePrefix?: string;
}

export interface ResourceDirectoryDomain {
  /** EnableResourceDirectory / InitResourceDirectory: the caller becomes the management account. */
  enable(accountId: string): Promise<ResourceDirectory>;
  /** The directory the account manages or belongs to. */
  get(accountId: string): Promise<ResourceDirectory>;
  /** Only a directory without folders and without members besides the management account. */
  destroy(accountId: string): Promise<void>;
  createFolder(accountId: string, folderName: string, parentFolderId?: string): Promise<Folder>;
  getFolder(accountId: string, folderId: string): Promise<Folder>;
  updateFolder(accountId: string, folderId: string, newName: string): Promise<Folder>;
  deleteFolder(accountId: string, folderId: string): Promise<void>;
  listFolders(
    accountId: string,
    parentFolderId: string | undefined,
    keyword: string | undefined,
    paging: Paging,
  ): Promise<ListPage<Folder>>;
  /** The folders from Root down to the parent of a folder or member account. */
  listAncestors(accountId: string, childId: string): Promise<readonly Folder[]>;
  /** CreateResourceAccount: a new account of the deployment, with the access role; one transaction. */
  createAccount(accountId: string, input: CreateMemberInput): Promise<MemberAccount>;
  getAccount(accountId: string, memberId: string): Promise<MemberAccount>;
  /** Member accounts carry no tags here: with any tag filter, the page is empty. */
  listAccounts(
    accountId: string,
    parentFolderId: string | null | undefined,
    keyword: string | undefined,
    paging: Paging,
    tags?: readonly TagFilter[],
  ): Promise<ListPage<MemberAccount>>;
  moveAccount(accountId: string, memberId: string, destinationFolderId: string): Promise<void>;
  updateAccount(accountId: string, memberId: string, newDisplayName?: string): Promise<MemberAccount>;
  /** The member leaves the directory and stays an account of its own, ungoverned. */
  removeAccount(accountId: string, memberId: string): Promise<void>;
  /** The control path of an account (the authorizer's control layer). */
  controlPath(accountId: string): Promise<ControlPath>;

  // Invitations (handshakes) of existing accounts: resource-directory-invitations.ts
  invite(accountId: string, input: InviteInput): Promise<Handshake>;
  /** By the management account of its directory or by the invited account. */
  getHandshake(accountId: string, handshakeId: string): Promise<Handshake>;
  listHandshakesForDirectory(accountId: string, paging: Paging): Promise<ListPage<Handshake>>;
  /** The invitations addressed to the caller's account. */
  listHandshakesForAccount(accountId: string, paging: Paging): Promise<ListPage<Handshake>>;
  /** By the invited account: it joins the directory under the Root folder. */
  acceptHandshake(accountId: string, handshakeId: string): Promise<Handshake>;
  declineHandshake(accountId: string, handshakeId: string): Promise<Handshake>;
  /** By the management account. */
  cancelHandshake(accountId: string, handshakeId: string): Promise<Handshake>;

  // Delegated administrators of trusted services
  registerDelegatedAdmin(accountId: string, memberId: string, servicePrincipal: string): Promise<void>;
  deregisterDelegatedAdmin(accountId: string, memberId: string, servicePrincipal: string): Promise<void>;
  listDelegatedAdmins(
    accountId: string,
    servicePrincipal: string | undefined,
    paging: Paging,
  ): Promise<ListPage<DelegatedAdministrator>>;
  listDelegatedServices(accountId: string, memberId: string): Promise<readonly DelegatedService[]>;
}

// ---------------------------------------------------------------------------------------------
// Errors (the codes are listed in docs/resource-directory.md)

export const rdErr = {
  noDirectory: (): ApiError =>
    apiErrorWithStatus(
      'EntityNotExists.ResourceDirectory',
      404,
      'The resource directory does not exist or the account is not its management account.',
    ),
  alreadyInDirectory: (): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.ResourceDirectory',
      409,
      'The account already manages or belongs to a resource directory.',
    ),
  notEmpty: (): ApiError =>
    apiErrorWithStatus(
      'DeleteConflict.ResourceDirectory',
      409,
      'The resource directory still has folders or member accounts.',
    ),
  folderNotFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.Folder', 404, `The folder does not exist: ${id}.`),
  folderExists: (name: string): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.Folder',
      409,
      `A folder with this name already exists in the resource directory: ${name}.`,
    ),
  folderDepth: (): ApiError =>
    apiErrorWithStatus(
      'LimitExceeded.FolderDepth',
      409,
      `Folders can be nested at most ${MAX_FOLDER_DEPTH} levels under the Root folder.`,
    ),
  folderNotEmpty: (): ApiError =>
    apiErrorWithStatus(
      'DeleteConflict.Folder.NotEmpty',
      409,
      'The folder still holds folders or member accounts.',
    ),
  rootFolder: (): ApiError =>
    apiErrorWithStatus('InvalidOperation.RootFolder', 400, 'The Root folder cannot be changed or deleted.'),
  folderName: (): ApiError =>
    apiErrorWithStatus(
      'InvalidParameter.FolderName',
      400,
      'The folder name must be 1 to 24 characters: letters, digits, Chinese characters, underscores (_), periods (.) and hyphens (-).',
    ),
  displayName: (param: string): ApiError =>
    apiErrorWithStatus(
      `InvalidParameter.${param}`,
      400,
      `The parameter - "${param}" must be 2 to 50 characters, without control or format characters and without surrounding spaces.`,
    ),
  accountNotFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.Account', 404, `The member account does not exist: ${id}.`),
  managementAccount: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.ManagementAccount',
      400,
      'The management account cannot be removed from its resource directory.',
    ),
  /** The real service's code for RemoveCloudAccount on a member that is not a CloudAccount. */
  resourceAccount: (id: string): ApiError =>
    apiErrorWithStatus(
      'AccountTypeOrStatusMismatch',
      409,
      `You cannot perform the action on the member account: ${id} was created in the resource directory (ResourceAccount); only an invited member (CloudAccount) can be removed.`,
    ),
  childNotFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.Target', 404, `No folder or member account has this id: ${id}.`),
};

// ---------------------------------------------------------------------------------------------
// Shared rules (control-policies.ts uses them too)

export type DirectoryRow = {
  directory_id: string;
  master_account_id: string;
  root_folder_id: string;
  control_policy_status: string;
  create_time: string;
};

/** The columns of a DirectoryRow, when rd_directories is joined to another table. */
const DIRECTORY_COLUMNS = [
  'rd_directories.directory_id',
  'rd_directories.master_account_id',
  'rd_directories.root_folder_id',
  'rd_directories.control_policy_status',
  'rd_directories.create_time',
] as const;

/** The directory the account manages (locked for update on PostgreSQL); else EntityNotExists. */
export async function managedDirectory(ctx: DomainContext, tx: Tx, accountId: string): Promise<DirectoryRow> {
  const q = tx.selectFrom('rd_directories').selectAll().where('master_account_id', '=', accountId);
  const row =
    ctx.store.dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : await q.executeTakeFirst();
  if (!row) throw rdErr.noDirectory();
  return row;
}

/** The trusted service whose delegated administrator reads the directory as its management account. */
export const RESOURCE_MANAGER_SERVICE = 'resourcemanager.aliyuncs.com';

/**
 * The directory an account may read: the one it manages, or the one where it is the
 * delegated administrator of resourcemanager.aliyuncs.com; else EntityNotExists. Not locked.
 */
export async function readableDirectory(tx: Tx, accountId: string): Promise<DirectoryRow> {
  const own = await tx
    .selectFrom('rd_directories')
    .selectAll()
    .where('master_account_id', '=', accountId)
    .executeTakeFirst();
  if (own) return own;
  const delegated = await tx
    .selectFrom('rd_delegated_admins')
    .innerJoin('rd_directories', 'rd_directories.directory_id', 'rd_delegated_admins.directory_id')
    .select(DIRECTORY_COLUMNS)
    .where('rd_delegated_admins.account_id', '=', accountId)
    .where('rd_delegated_admins.service_principal', '=', RESOURCE_MANAGER_SERVICE)
    .executeTakeFirst();
  if (!delegated) throw rdErr.noDirectory();
  return delegated;
}

/**
 * Increases the permissions version of every account of the directory: a change of the tree,
 * its attachments or its control status is enforced on the next request on every node.
 */
export async function bumpDirectory(tx: Tx, directoryId: string): Promise<void> {
  await tx
    .updateTable('accounts')
    .set({ permissions_version: sql`permissions_version + 1` })
    .where('account_id', 'in', (eb) =>
      eb.selectFrom('rd_accounts').select('account_id').where('directory_id', '=', directoryId),
    )
    .execute();
}

export type TargetKind = 'Root' | 'Folder' | 'Account';

export interface ResolvedNode {
  readonly id: string;
  readonly kind: TargetKind;
  readonly name: string;
}

/** A node of the directory by id (Root folder, folder, or member account); else undefined. */
export async function findNode(tx: Tx, dir: DirectoryRow, id: string): Promise<ResolvedNode | undefined> {
  const folder = await tx
    .selectFrom('rd_folders')
    .select(['folder_id', 'folder_name', 'parent_folder_id'])
    .where('directory_id', '=', dir.directory_id)
    .where('folder_id', '=', id)
    .executeTakeFirst();
  if (folder) {
    return {
      id: folder.folder_id,
      kind: folder.parent_folder_id === null ? 'Root' : 'Folder',
      name: folder.folder_name,
    };
  }
  const member = await tx
    .selectFrom('rd_accounts')
    .select(['account_id', 'display_name'])
    .where('directory_id', '=', dir.directory_id)
    .where('account_id', '=', id)
    .executeTakeFirst();
  return member ? { id: member.account_id, kind: 'Account', name: member.display_name } : undefined;
}

/** A member account of the directory; else EntityNotExists.Account. */
export async function requireMember(tx: Tx, dir: DirectoryRow, memberId: string): Promise<MemberRow> {
  const row = await tx
    .selectFrom('rd_accounts')
    .selectAll()
    .where('directory_id', '=', dir.directory_id)
    .where('account_id', '=', memberId)
    .executeTakeFirst();
  if (!row) throw rdErr.accountNotFound(memberId);
  return row;
}

/**
 * Makes an account a member of the directory in its Root folder, joined by invitation (the
 * management account itself, or an accepted invitation); `taken()` is the error when the
 * account has joined a directory meanwhile.
 */
export async function insertInvitedMember(
  tx: Tx,
  dir: DirectoryRow,
  accountId: string,
  displayName: string,
  at: string,
  taken: () => ApiError,
): Promise<void> {
  try {
    await tx
      .insertInto('rd_accounts')
      .values({
        account_id: accountId,
        directory_id: dir.directory_id,
        folder_id: dir.root_folder_id,
        display_name: displayName,
        account_type: 'CloudAccount',
        join_method: 'invited',
        join_time: at,
        modify_time: at,
      })
      .execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw taken();
    throw e;
  }
}

/** The page of a whole list that `paging` asks for (pages count from 1). */
export function page<T>(all: readonly T[], paging: Paging): ListPage<T> {
  const start = (paging.pageNumber - 1) * paging.pageSize;
  return { items: all.slice(start, start + paging.pageSize), total: all.length };
}

/** The page of a whole list that `paging` asks for, each item read into its view in turn. */
export async function viewPage<T, V>(
  all: readonly T[],
  paging: Paging,
  view: (item: T) => Promise<V>,
): Promise<ListPage<V>> {
  const { items, total } = page(all, paging);
  const views: V[] = [];
  for (const item of items) views.push(await view(item));
  return { items: views, total };
}

// ---------------------------------------------------------------------------------------------

const FOLDER_NAME = /^[\p{L}\p{N}_.-]{1,24}$/u;

/**
 * The key a folder name is unique by in its directory, ignoring case. Folder names hold letters
 * of any script, so the key is their full lower case, as stored since migration 010 (not the
 * ASCII-only nameKey of RAM names): `Équipe` and `équipe` are one folder.
 */
const folderKey = (name: string): string => name.toLowerCase();

function checkFolderName(name: string): void {
  if (!FOLDER_NAME.test(name)) throw rdErr.folderName();
}

/**
 * Control characters (C0, DEL, C1: tab and line breaks included) and format characters (bidi
 * overrides and isolates, zero-width spaces and joiners): a display name is shown in lists,
 * invitations and paths, where a line break or a right-to-left override disguises which member
 * is which.
 */
const DISPLAY_NAME_FORBIDDEN = /[\p{Cc}\p{Cf}]/u;

function checkDisplayName(name: string, param: string): void {
  const n = [...name].length;
  if (n < 2 || n > 50 || DISPLAY_NAME_FORBIDDEN.test(name) || name.trim() !== name)
    throw rdErr.displayName(param);
}

/** A root password nobody knows (the member is reached through its access role). */
function unknowablePassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-.:=@^_~'];
  const chars = [...sets.map((s) => s[randomInt(s.length)]!), ...randomAlnum(28)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** The trust policy of the access role: the management account (its root and whom it allows). */
export function accessRoleTrustPolicy(masterAccountId: string): string {
  return JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${masterAccountId}:root`] },
      },
    ],
  });
}

type FolderRow = {
  folder_id: string;
  folder_name: string;
  parent_folder_id: string | null;
  depth: number | string;
  create_time: string;
};

type MemberRow = {
  account_id: string;
  folder_id: string;
  display_name: string;
  account_type: string;
  join_method: string;
  join_time: string;
  modify_time: string;
};

export function createResourceDirectory(ctx: DomainContext): ResourceDirectoryDomain {
  const { store } = ctx;
  const now = () => isoSeconds(ctx.clock());

  async function allFolders(tx: Tx, directoryId: string): Promise<Map<string, FolderRow>> {
    const rows = await tx
      .selectFrom('rd_folders')
      .select(['folder_id', 'folder_name', 'parent_folder_id', 'depth', 'create_time'])
      .where('directory_id', '=', directoryId)
      .orderBy('create_time')
      .orderBy('folder_id')
      .execute();
    return new Map(rows.map((r) => [r.folder_id, r]));
  }

  /** rd-…/r-…/fd-…/… down to the folder. */
  function folderPath(dir: DirectoryRow, folders: Map<string, FolderRow>, folderId: string): string {
    const ids: string[] = [];
    for (let id: string | null = folderId; id !== null;) {
      const f = folders.get(id);
      if (!f) break;
      ids.unshift(f.folder_id);
      id = f.parent_folder_id;
    }
    return [dir.directory_id, ...ids].join('/');
  }

  function folderView(dir: DirectoryRow, folders: Map<string, FolderRow>, f: FolderRow): Folder {
    return {
      folderId: f.folder_id,
      folderName: f.folder_name,
      ...(f.parent_folder_id !== null ? { parentFolderId: f.parent_folder_id } : {}),
      createTime: f.create_time,
      path: folderPath(dir, folders, f.folder_id),
    };
  }

  async function memberView(
    tx: Tx,
    dir: DirectoryRow,
    folders: Map<string, FolderRow>,
    m: MemberRow,
  ): Promise<MemberAccount> {
    return {
      accountId: m.account_id,
      accountName: await rootLoginName(tx, m.account_id),
      displayName: m.display_name,
      folderId: m.folder_id,
      type: m.account_type,
      joinMethod: m.join_method,
      status: m.join_method === 'created' ? 'CreateSuccess' : 'InviteSuccess',
      joinTime: m.join_time,
      modifyTime: m.modify_time,
      directoryId: dir.directory_id,
      path: `${folderPath(dir, folders, m.folder_id)}/${m.account_id}`,
    };
  }

  async function requireFolder(tx: Tx, dir: DirectoryRow, folderId: string): Promise<FolderRow> {
    const row = await tx
      .selectFrom('rd_folders')
      .select(['folder_id', 'folder_name', 'parent_folder_id', 'depth', 'create_time'])
      .where('directory_id', '=', dir.directory_id)
      .where('folder_id', '=', folderId)
      .executeTakeFirst();
    if (!row) throw rdErr.folderNotFound(folderId);
    return row;
  }

  /** Read in the caller's transaction (on SQLite a read outside it would wait for it). */
  async function rootLoginName(tx: Tx, accountId: string): Promise<string> {
    const row = await tx
      .selectFrom('accounts')
      .select(['account_id', 'alias'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row ? `root@${defaultDomain(row.account_id, row.alias)}` : '';
  }

  async function directoryView(tx: Tx, dir: DirectoryRow): Promise<ResourceDirectory> {
    return {
      directoryId: dir.directory_id,
      rootFolderId: dir.root_folder_id,
      masterAccountId: dir.master_account_id,
      masterAccountName: await rootLoginName(tx, dir.master_account_id),
      createTime: dir.create_time,
      controlPolicyStatus: dir.control_policy_status === 'Enabled' ? 'Enabled' : 'Disabled',
    };
  }

  /** A new node gets FullAliyunAccess while control policies are enabled. */
  async function attachDefault(tx: Tx, dir: DirectoryRow, targetId: string): Promise<void> {
    if (dir.control_policy_status !== 'Enabled') return;
    await tx
      .insertInto('rd_control_attachments')
      .values({
        directory_id: dir.directory_id,
        target_id: targetId,
        policy_id: FULL_ACCESS_POLICY_ID,
        attach_date: now(),
      })
      .execute();
  }

  const domain: ResourceDirectoryDomain = {
    async enable(accountId) {
      return store.transaction(async (tx) => {
        const account = await tx
          .selectFrom('accounts')
          .select('account_id')
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (!account) throw rdErr.noDirectory();
        const member = await tx
          .selectFrom('rd_accounts')
          .select('account_id')
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (member) throw rdErr.alreadyInDirectory();
        const at = now();
        const dir: DirectoryRow = {
          directory_id: `rd-${randomAlnum(6)}`,
          master_account_id: accountId,
          root_folder_id: `r-${randomAlnum(6)}`,
          control_policy_status: 'Disabled',
          create_time: at,
        };
        try {
          await tx.insertInto('rd_directories').values(dir).execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw rdErr.alreadyInDirectory();
          throw e;
        }
        await tx
          .insertInto('rd_folders')
          .values({
            folder_id: dir.root_folder_id,
            directory_id: dir.directory_id,
            folder_name: 'Root',
            name_key: 'root',
            parent_folder_id: null,
            depth: 0,
            create_time: at,
          })
          .execute();
        // The account may have joined another directory meanwhile (an invitation accepted).
        await insertInvitedMember(tx, dir, accountId, accountId, at, rdErr.alreadyInDirectory);
        await bumpDirectory(tx, dir.directory_id);
        return directoryView(tx, dir);
      });
    },

    async get(accountId) {
      const row = await store.db
        .selectFrom('rd_accounts')
        .innerJoin('rd_directories', 'rd_directories.directory_id', 'rd_accounts.directory_id')
        .select(DIRECTORY_COLUMNS)
        .where('rd_accounts.account_id', '=', accountId)
        .executeTakeFirst();
      if (!row) throw rdErr.noDirectory();
      return directoryView(store.db, row);
    },

    async destroy(accountId) {
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const folders = await tx
          .selectFrom('rd_folders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('directory_id', '=', dir.directory_id)
          .executeTakeFirstOrThrow();
        const members = await tx
          .selectFrom('rd_accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('directory_id', '=', dir.directory_id)
          .executeTakeFirstOrThrow();
        if (Number(folders.n) > 1 || Number(members.n) > 1) throw rdErr.notEmpty();
        await bumpDirectory(tx, dir.directory_id);
        for (const table of [
          'rd_handshakes',
          'rd_delegated_admins',
          'rd_control_attachments',
          'rd_control_policies',
          'rd_accounts',
          'rd_folders',
        ] as const) {
          await tx.deleteFrom(table).where('directory_id', '=', dir.directory_id).execute();
        }
        await tx.deleteFrom('rd_directories').where('directory_id', '=', dir.directory_id).execute();
      });
    },

    async createFolder(accountId, folderName, parentFolderId) {
      checkFolderName(folderName);
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const parent = await requireFolder(tx, dir, parentFolderId ?? dir.root_folder_id);
        const depth = Number(parent.depth) + 1;
        if (depth > MAX_FOLDER_DEPTH) throw rdErr.folderDepth();
        const taken = await tx
          .selectFrom('rd_folders')
          .select('folder_id')
          .where('directory_id', '=', dir.directory_id)
          .where('name_key', '=', folderKey(folderName))
          .executeTakeFirst();
        if (taken) throw rdErr.folderExists(folderName);
        const row: FolderRow = {
          folder_id: `fd-${randomAlnum(10)}`,
          folder_name: folderName,
          parent_folder_id: parent.folder_id,
          depth,
          create_time: now(),
        };
        try {
          await tx
            .insertInto('rd_folders')
            .values({ ...row, depth, directory_id: dir.directory_id, name_key: folderKey(folderName) })
            .execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw rdErr.folderExists(folderName);
          throw e;
        }
        await attachDefault(tx, dir, row.folder_id);
        // A folder holds no account yet: no permissions change.
        return folderView(dir, await allFolders(tx, dir.directory_id), row);
      });
    },

    async getFolder(accountId, folderId) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const f = await requireFolder(tx, dir, folderId);
        return folderView(dir, await allFolders(tx, dir.directory_id), f);
      });
    },

    async updateFolder(accountId, folderId, newName) {
      checkFolderName(newName);
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const f = await requireFolder(tx, dir, folderId);
        if (f.parent_folder_id === null) throw rdErr.rootFolder();
        const taken = await tx
          .selectFrom('rd_folders')
          .select('folder_id')
          .where('directory_id', '=', dir.directory_id)
          .where('name_key', '=', folderKey(newName))
          .where('folder_id', '!=', folderId)
          .executeTakeFirst();
        if (taken) throw rdErr.folderExists(newName);
        await tx
          .updateTable('rd_folders')
          .set({ folder_name: newName, name_key: folderKey(newName) })
          .where('folder_id', '=', folderId)
          .execute();
        return folderView(dir, await allFolders(tx, dir.directory_id), { ...f, folder_name: newName });
      });
    },

    async deleteFolder(accountId, folderId) {
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const f = await requireFolder(tx, dir, folderId);
        if (f.parent_folder_id === null) throw rdErr.rootFolder();
        const child = await tx
          .selectFrom('rd_folders')
          .select('folder_id')
          .where('parent_folder_id', '=', folderId)
          .executeTakeFirst();
        const member = await tx
          .selectFrom('rd_accounts')
          .select('account_id')
          .where('directory_id', '=', dir.directory_id)
          .where('folder_id', '=', folderId)
          .executeTakeFirst();
        if (child || member) throw rdErr.folderNotEmpty();
        await tx
          .deleteFrom('rd_control_attachments')
          .where('directory_id', '=', dir.directory_id)
          .where('target_id', '=', folderId)
          .execute();
        await tx.deleteFrom('rd_folders').where('folder_id', '=', folderId).execute();
      });
    },

    async listFolders(accountId, parentFolderId, keyword, paging) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const folders = await allFolders(tx, dir.directory_id);
        const parent = parentFolderId ?? dir.root_folder_id;
        if (!folders.has(parent)) throw rdErr.folderNotFound(parent);
        const key = keyword?.toLowerCase();
        const all = [...folders.values()]
          .filter((f) => f.parent_folder_id === parent)
          .filter((f) => key === undefined || f.folder_name.toLowerCase().includes(key))
          .map((f) => folderView(dir, folders, f));
        return page(all, paging);
      });
    },

    async listAncestors(accountId, childId) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const folders = await allFolders(tx, dir.directory_id);
        let start: string | null;
        const folder = folders.get(childId);
        if (folder) start = folder.parent_folder_id;
        else {
          const member = await tx
            .selectFrom('rd_accounts')
            .select('folder_id')
            .where('directory_id', '=', dir.directory_id)
            .where('account_id', '=', childId)
            .executeTakeFirst();
          if (!member) throw rdErr.childNotFound(childId);
          start = member.folder_id;
        }
        const out: Folder[] = [];
        for (let id = start; id !== null;) {
          const f = folders.get(id);
          if (!f) break;
          out.unshift(folderView(dir, folders, f));
          id = f.parent_folder_id;
        }
        return out;
      });
    },

    async createAccount(accountId, input) {
      checkDisplayName(input.displayName, 'DisplayName');
      if (input.accountNamePrefix !== undefined) checkAlias(input.accountNamePrefix);
      const rootPasswordHash = await hashPassword(unknowablePassword(), ctx.scrypt);
      // One transaction: the account, its root, its access role with AdministratorAccess and
      // its membership are all written, or none is.
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const folder = await requireFolder(tx, dir, input.parentFolderId ?? dir.root_folder_id);
        const created = await insertAccount(ctx, tx, {
          ...(input.accountNamePrefix !== undefined ? { alias: input.accountNamePrefix } : {}),
          rootPasswordHash,
        });
        const memberId = created.accountId;
        await insertRole(ctx, tx, memberId, {
          roleName: ACCESS_ROLE_NAME,
          assumeRolePolicyDocument: accessRoleTrustPolicy(dir.master_account_id),
          description:
            'The management account of the resource directory reaches this member through this role.',
        });
        await attachIn(
          ctx,
          tx,
          memberId,
          { kind: 'role', roleName: ACCESS_ROLE_NAME },
          'System',
          ACCESS_ROLE_POLICY,
        );
        const at = now();
        const row: MemberRow = {
          account_id: memberId,
          folder_id: folder.folder_id,
          display_name: input.displayName,
          account_type: 'ResourceAccount',
          join_method: 'created',
          join_time: at,
          modify_time: at,
        };
        await tx
          .insertInto('rd_accounts')
          .values({ ...row, directory_id: dir.directory_id })
          .execute();
        await attachDefault(tx, dir, memberId);
        await bumpDirectory(tx, dir.directory_id);
        return memberView(tx, dir, await allFolders(tx, dir.directory_id), row);
      });
    },

    async getAccount(accountId, memberId) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const m = await requireMember(tx, dir, memberId);
        return memberView(tx, dir, await allFolders(tx, dir.directory_id), m);
      });
    },

    async listAccounts(accountId, parentFolderId, keyword, paging, tags = []) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const folders = await allFolders(tx, dir.directory_id);
        let q = tx
          .selectFrom('rd_accounts')
          .selectAll()
          .where('directory_id', '=', dir.directory_id)
          .orderBy('join_time')
          .orderBy('account_id');
        if (parentFolderId !== undefined) {
          const parent = parentFolderId ?? dir.root_folder_id;
          if (!folders.has(parent)) throw rdErr.folderNotFound(parent);
          q = q.where('folder_id', '=', parent);
        }
        // No member carries a tag: a tag filter (checked after the folder) matches none.
        if (tags.length > 0) return { items: [], total: 0 };
        const key = keyword?.toLowerCase();
        const rows = (await q.execute()).filter(
          (m) =>
            key === undefined || m.display_name.toLowerCase().includes(key) || m.account_id.includes(key),
        );
        return viewPage(rows, paging, (m) => memberView(tx, dir, folders, m));
      });
    },

    async moveAccount(accountId, memberId, destinationFolderId) {
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const m = await requireMember(tx, dir, memberId);
        await requireFolder(tx, dir, destinationFolderId);
        if (m.folder_id === destinationFolderId) return;
        await tx
          .updateTable('rd_accounts')
          .set({ folder_id: destinationFolderId, modify_time: now() })
          .where('account_id', '=', memberId)
          .execute();
        await bumpDirectory(tx, dir.directory_id);
      });
    },

    async updateAccount(accountId, memberId, newDisplayName) {
      if (newDisplayName !== undefined) checkDisplayName(newDisplayName, 'NewDisplayName');
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const m = await requireMember(tx, dir, memberId);
        const next =
          newDisplayName === undefined ? m : { ...m, display_name: newDisplayName, modify_time: now() };
        if (newDisplayName !== undefined) {
          await tx
            .updateTable('rd_accounts')
            .set({ display_name: newDisplayName, modify_time: next.modify_time })
            .where('account_id', '=', memberId)
            .execute();
        }
        return memberView(tx, dir, await allFolders(tx, dir.directory_id), next);
      });
    },

    async removeAccount(accountId, memberId) {
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const m = await requireMember(tx, dir, memberId);
        if (memberId === dir.master_account_id) throw rdErr.managementAccount();
        // A created member has no owner of its own (its root password is unknowable): out of the
        // directory, no control policy would bound it and its access role would still trust the
        // former management account. Only invited members leave, as on the real service.
        if (m.account_type !== 'CloudAccount') throw rdErr.resourceAccount(memberId);
        await bumpDirectory(tx, dir.directory_id);
        await tx
          .deleteFrom('rd_control_attachments')
          .where('directory_id', '=', dir.directory_id)
          .where('target_id', '=', memberId)
          .execute();
        await tx.deleteFrom('rd_delegated_admins').where('account_id', '=', memberId).execute();
        await tx.deleteFrom('rd_accounts').where('account_id', '=', memberId).execute();
      });
    },

    async controlPath(accountId) {
      const member = await store.db
        .selectFrom('rd_accounts')
        .innerJoin('rd_directories', 'rd_directories.directory_id', 'rd_accounts.directory_id')
        .select([
          'rd_accounts.folder_id',
          'rd_directories.directory_id',
          'rd_directories.master_account_id',
          'rd_directories.control_policy_status',
        ])
        .where('rd_accounts.account_id', '=', accountId)
        .executeTakeFirst();
      if (!member) return { inManagementAccount: false };
      if (member.master_account_id === accountId) return { inManagementAccount: true };
      if (member.control_policy_status !== 'Enabled') return { inManagementAccount: false };
      const folders = await store.db
        .selectFrom('rd_folders')
        .select(['folder_id', 'parent_folder_id'])
        .where('directory_id', '=', member.directory_id)
        .execute();
      const parents = new Map(folders.map((f) => [f.folder_id, f.parent_folder_id]));
      const nodes: { id: string; node: string }[] = [{ id: accountId, node: 'member' }];
      for (let id: string | null | undefined = member.folder_id; id; id = parents.get(id)) {
        const parent = parents.get(id);
        nodes.push({ id, node: parent === null ? 'root' : `folder:${id}` });
        if (nodes.length > MAX_FOLDER_DEPTH + 2) break;
      }
      const rows = await store.db
        .selectFrom('rd_control_attachments')
        .leftJoin('rd_control_policies', 'rd_control_policies.policy_id', 'rd_control_attachments.policy_id')
        .select([
          'rd_control_attachments.target_id',
          'rd_control_attachments.policy_id',
          'rd_control_policies.policy_name',
          'rd_control_policies.document',
        ])
        .where('rd_control_attachments.directory_id', '=', member.directory_id)
        .where(
          'rd_control_attachments.target_id',
          'in',
          nodes.map((n) => n.id),
        )
        .orderBy('rd_control_attachments.attach_date')
        .orderBy('rd_control_attachments.policy_id')
        .execute();
      const levels: ControlLevelInput[] = nodes.map((n) => {
        const policies: PolicyInput[] = [];
        for (const r of rows) {
          if (r.target_id !== n.id) continue;
          if (r.policy_id === FULL_ACCESS_POLICY_ID) {
            policies.push({
              name: FULL_ACCESS_POLICY_NAME,
              type: 'System',
              attachedTo: n.node,
              document: FULL_ACCESS_DOCUMENT,
            });
          } else if (r.policy_name !== null && r.document !== null) {
            policies.push({ name: r.policy_name, type: 'Custom', attachedTo: n.node, document: r.document });
          }
        }
        return { node: n.node, policies };
      });
      return { inManagementAccount: false, levels };
    },

    ...createInvitations(ctx, {
      attachDefault: (tx, dir, targetId) => attachDefault(tx, dir, targetId),
      memberDisplayName: async (tx, id) => {
        const row = await tx
          .selectFrom('accounts')
          .select(['account_id', 'alias'])
          .where('account_id', '=', id)
          .executeTakeFirst();
        return row?.alias ?? id;
      },
      rootLoginName: (tx, id) => rootLoginName(tx, id),
    }),
  };
  return domain;
}
