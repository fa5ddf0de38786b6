import { apiErrorWithStatus, type ApiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import { isUniqueViolation } from '../store/errors.js';
import { randomAlnum } from '../crypto/random.js';
import { asciiLowerCase } from '../text.js';
import type { DomainContext } from './context.js';
import { checkFreeText, isoSeconds } from './common.js';
import {
  bumpDirectory,
  insertInvitedMember,
  managedDirectory,
  page,
  readableDirectory,
  requireMember,
  viewPage,
  type DirectoryRow,
  type ListPage,
  type Paging,
} from './resource-directory.js';

/**
 * Invitations (handshakes) of existing accounts into a resource directory, and delegated
 * administrators of trusted services (docs/resource-directory.md).
 *
 * An invitation names an account of this deployment (by id, or by its root logon name for
 * TargetType Email). It stays Pending until the invited account accepts or declines it, the
 * management account cancels it, or it expires (14 days; decided when read, against the
 * clock). On acceptance the account joins the Root folder with JoinMethod `invited`; its RAM
 * users and role sessions are bounded by the control policies of its path from its next
 * request on. It gets no access role: the management account reaches an invited member only
 * through roles the member itself creates.
 */

export const HANDSHAKE_LIFETIME_MS = 14 * 24 * 3600 * 1000;

/**
 * The trusted services a member can be the delegated administrator of. Only
 * resourcemanager.aliyuncs.com has an effect in Rampart (read access to the directory); the
 * others are recorded for the services that read them.
 */
export const TRUSTED_SERVICES: readonly string[] = [
  'resourcemanager.aliyuncs.com',
  'actiontrail.aliyuncs.com',
  'cloudfw.aliyuncs.com',
  'cloudsso.aliyuncs.com',
  'config.aliyuncs.com',
];

/** Delegated administrators one trusted service may have in a directory. */
export const MAX_DELEGATED_ADMINS_PER_SERVICE = 5;

export type HandshakeStatus = 'Pending' | 'Accepted' | 'Cancelled' | 'Declined' | 'Expired';

export interface Handshake {
  readonly handshakeId: string;
  readonly directoryId: string;
  readonly masterAccountId: string;
  /** The management account's root logon name. */
  readonly masterAccountName: string;
  /** The management account's alias (or id). */
  readonly masterAccountRealName: string;
  /** The invited account's alias (or id). */
  readonly invitedAccountRealName: string;
  readonly targetType: 'Account' | 'Email';
  readonly targetEntity: string;
  readonly note: string;
  readonly status: HandshakeStatus;
  readonly createTime: string;
  readonly expireTime: string;
  readonly modifyTime: string;
}

export interface InviteInput {
  readonly targetType: 'Account' | 'Email';
  readonly targetEntity: string;
  readonly note?: string;
}

export interface DelegatedAdministrator {
  readonly accountId: string;
  readonly displayName: string;
  readonly joinMethod: string;
  readonly servicePrincipal: string;
  readonly delegationEnabledTime: string;
}

export interface DelegatedService {
  readonly servicePrincipal: string;
  readonly delegationEnabledTime: string;
  readonly status: 'ENABLED';
}

// ---------------------------------------------------------------------------------------------
// Errors (listed in docs/resource-directory.md)

export const invitationErr = {
  handshakeNotFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.Handshake', 404, `The specified handshake does not exist: ${id}.`),
  notPending: (status: string): ApiError =>
    apiErrorWithStatus(
      'HandshakeStatusMismatch',
      409,
      `The invitation is no longer pending (its status is ${status}).`,
    ),
  targetNotFound: (): ApiError =>
    apiErrorWithStatus(
      'InvalidParameter.TargetEntity',
      400,
      'The TargetEntity names no account that can be invited (an account id, or the root logon name for TargetType Email).',
    ),
  targetInDirectory: (): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.ResourceDirectory',
      409,
      'The account already manages or belongs to a resource directory.',
    ),
  inviteManagementAccount: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.ManagementAccount',
      400,
      'The management account cannot be invited into its own resource directory.',
    ),
  pendingExists: (): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.Handshake',
      409,
      'A pending invitation of this account into the resource directory already exists.',
    ),
  servicePrincipal: (): ApiError =>
    apiErrorWithStatus(
      'InvalidParameter.ServicePrincipal',
      409,
      'The specified ServicePrincipal is invalid.',
    ),
  alreadyRegistered: (): ApiError =>
    apiErrorWithStatus(
      'AccountAlreadyRegistered',
      409,
      'The specified account is already a delegated administrator for this service.',
    ),
  notRegistered: (): ApiError =>
    apiErrorWithStatus(
      'EntityNotExists.DelegatedAdministrator',
      404,
      'The specified account is not a delegated administrator for this service.',
    ),
  tooManyAdmins: (): ApiError =>
    apiErrorWithStatus(
      'DelegatedAccountNumberExceeded',
      409,
      `The maximum number of delegated administrators for this service (${MAX_DELEGATED_ADMINS_PER_SERVICE}) is reached.`,
    ),
  delegateManagementAccount: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.ManagementAccount',
      400,
      'The management account cannot be its own delegated administrator.',
    ),
};

// ---------------------------------------------------------------------------------------------

type HandshakeRow = {
  handshake_id: string;
  directory_id: string;
  target_type: string;
  target_entity: string;
  target_account_id: string;
  note: string;
  status: string;
  create_time: string;
  expire_time: string;
  modify_time: string;
};

export interface InvitationHelpers {
  attachDefault(tx: Tx, dir: DirectoryRow, targetId: string): Promise<void>;
  /** The alias of an account, or its id. */
  memberDisplayName(tx: Tx, accountId: string): Promise<string>;
  rootLoginName(tx: Tx, accountId: string): Promise<string>;
}

const ACCOUNT_ID = /^[0-9]{16}$/;
/** root@<alias or id>.onaliyun.com */
const ROOT_LOGIN = /^root@([a-z0-9-]{3,32})\.onaliyun\.com$/;

/** The trusted service in its canonical spelling, or InvalidParameter.ServicePrincipal. */
function canonicalService(servicePrincipal: string): string {
  const key = asciiLowerCase(servicePrincipal);
  if (!TRUSTED_SERVICES.includes(key)) throw invitationErr.servicePrincipal();
  return key;
}

export function createInvitations(ctx: DomainContext, helpers: InvitationHelpers) {
  const { store } = ctx;
  const now = () => isoSeconds(ctx.clock());

  /** Expired is decided at read time: a Pending invitation past its ExpireTime. */
  function statusOf(row: HandshakeRow): HandshakeStatus {
    if (row.status === 'Pending' && ctx.clock().getTime() >= Date.parse(row.expire_time)) return 'Expired';
    return row.status as HandshakeStatus;
  }

  async function view(tx: Tx, dir: DirectoryRow, row: HandshakeRow): Promise<Handshake> {
    return {
      handshakeId: row.handshake_id,
      directoryId: row.directory_id,
      masterAccountId: dir.master_account_id,
      masterAccountName: await helpers.rootLoginName(tx, dir.master_account_id),
      masterAccountRealName: await helpers.memberDisplayName(tx, dir.master_account_id),
      invitedAccountRealName: await helpers.memberDisplayName(tx, row.target_account_id),
      targetType: row.target_type === 'Email' ? 'Email' : 'Account',
      targetEntity: row.target_entity,
      note: row.note,
      status: statusOf(row),
      createTime: row.create_time,
      expireTime: row.expire_time,
      modifyTime: row.modify_time,
    };
  }

  async function directoryById(
    tx: Tx,
    directoryId: string,
    lock: boolean,
  ): Promise<DirectoryRow | undefined> {
    const q = tx.selectFrom('rd_directories').selectAll().where('directory_id', '=', directoryId);
    return lock && ctx.store.dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
  }

  async function handshakeRow(tx: Tx, handshakeId: string, lock = false): Promise<HandshakeRow | undefined> {
    const q = tx.selectFrom('rd_handshakes').selectAll().where('handshake_id', '=', handshakeId);
    return lock && ctx.store.dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
  }

  /**
   * An invitation and its directory, for a transaction that changes the invitation's status:
   * the directory row is locked first (on PostgreSQL; every writer of a directory's invitations
   * locks it before them), then the invitation is read again, locked, so that the decision is
   * made on its status as the last committed writer left it. The first read only finds the
   * directory; deciding on it would let AcceptHandshake and Cancel/DeclineHandshake, or two
   * AcceptHandshakes, both succeed. On SQLite the transaction holds the write lock throughout.
   */
  async function lockedHandshake(
    tx: Tx,
    handshakeId: string,
  ): Promise<{ row: HandshakeRow; dir: DirectoryRow } | undefined> {
    const seen = await handshakeRow(tx, handshakeId);
    const dir = seen ? await directoryById(tx, seen.directory_id, true) : undefined;
    const row = dir ? await handshakeRow(tx, handshakeId, true) : undefined;
    return row && dir && row.directory_id === dir.directory_id ? { row, dir } : undefined;
  }

  /** The account an invitation names, or undefined (the same answer for every kind of miss). */
  async function resolveTarget(tx: Tx, input: InviteInput): Promise<string | undefined> {
    const entity = asciiLowerCase(input.targetEntity.trim());
    let key: string | undefined;
    if (input.targetType === 'Account') key = ACCOUNT_ID.test(entity) ? entity : undefined;
    else key = ROOT_LOGIN.exec(entity)?.[1];
    if (key === undefined) return undefined;
    const rows = await tx
      .selectFrom('accounts')
      .select('account_id')
      .where((eb) =>
        input.targetType === 'Account'
          ? eb('account_id', '=', key)
          : eb.or([eb('alias_key', '=', key), eb('account_id', '=', key)]),
      )
      .execute();
    // An account id wins over another account's alias that happens to spell it.
    return (rows.find((r) => r.account_id === key) ?? rows[0])?.account_id;
  }

  /** Moves a pending invitation addressed to or sent by the caller to a final status. */
  async function settle(
    accountId: string,
    handshakeId: string,
    by: 'target' | 'master',
    status: 'Declined' | 'Cancelled',
  ): Promise<Handshake> {
    return store.transaction(async (tx) => {
      const found = await lockedHandshake(tx, handshakeId);
      const mine =
        found && (by === 'target' ? found.row.target_account_id : found.dir.master_account_id) === accountId;
      if (!found || !mine) throw invitationErr.handshakeNotFound(handshakeId);
      const { row, dir } = found;
      const current = statusOf(row);
      if (current !== 'Pending') throw invitationErr.notPending(current);
      const next = { ...row, status, modify_time: now() };
      await tx
        .updateTable('rd_handshakes')
        .set({ status, modify_time: next.modify_time })
        .where('handshake_id', '=', handshakeId)
        .execute();
      return view(tx, dir, next);
    });
  }

  async function inDirectory(tx: Tx, accountId: string): Promise<boolean> {
    const member = await tx
      .selectFrom('rd_accounts')
      .select('account_id')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    const manages = await tx
      .selectFrom('rd_directories')
      .select('directory_id')
      .where('master_account_id', '=', accountId)
      .executeTakeFirst();
    return member !== undefined || manages !== undefined;
  }

  return {
    async invite(accountId: string, input: InviteInput): Promise<Handshake> {
      // Kept and shown as it is: no control character (PostgreSQL cannot even store a NUL).
      checkFreeText(input.note, 'Note');
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const target = await resolveTarget(tx, input);
        if (target === undefined) throw invitationErr.targetNotFound();
        if (target === dir.master_account_id) throw invitationErr.inviteManagementAccount();
        if (await inDirectory(tx, target)) throw invitationErr.targetInDirectory();
        const pending = await tx
          .selectFrom('rd_handshakes')
          .selectAll()
          .where('directory_id', '=', dir.directory_id)
          .where('target_account_id', '=', target)
          .where('status', '=', 'Pending')
          .execute();
        if (pending.some((h) => statusOf(h) === 'Pending')) throw invitationErr.pendingExists();
        const at = ctx.clock();
        const row: HandshakeRow = {
          handshake_id: `h-${randomAlnum(16)}`,
          directory_id: dir.directory_id,
          target_type: input.targetType,
          target_entity: input.targetEntity,
          target_account_id: target,
          note: input.note ?? '',
          status: 'Pending',
          create_time: isoSeconds(at),
          expire_time: isoSeconds(new Date(at.getTime() + HANDSHAKE_LIFETIME_MS)),
          modify_time: isoSeconds(at),
        };
        await tx.insertInto('rd_handshakes').values(row).execute();
        return view(tx, dir, row);
      });
    },

    async getHandshake(accountId: string, handshakeId: string): Promise<Handshake> {
      return store.transaction(async (tx) => {
        const row = await handshakeRow(tx, handshakeId);
        const dir = row ? await directoryById(tx, row.directory_id, false) : undefined;
        if (!row || !dir) throw invitationErr.handshakeNotFound(handshakeId);
        if (row.target_account_id !== accountId && dir.master_account_id !== accountId) {
          // A delegated administrator of the directory reads its invitations too.
          const readable = await readableDirectory(tx, accountId).catch(() => undefined);
          if (readable?.directory_id !== dir.directory_id) throw invitationErr.handshakeNotFound(handshakeId);
        }
        return view(tx, dir, row);
      });
    },

    async listHandshakesForDirectory(accountId: string, paging: Paging): Promise<ListPage<Handshake>> {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const rows = await tx
          .selectFrom('rd_handshakes')
          .selectAll()
          .where('directory_id', '=', dir.directory_id)
          .orderBy('create_time', 'desc')
          .orderBy('handshake_id')
          .execute();
        return viewPage(rows, paging, (r) => view(tx, dir, r));
      });
    },

    async listHandshakesForAccount(accountId: string, paging: Paging): Promise<ListPage<Handshake>> {
      return store.transaction(async (tx) => {
        const rows = await tx
          .selectFrom('rd_handshakes')
          .selectAll()
          .where('target_account_id', '=', accountId)
          .orderBy('create_time', 'desc')
          .orderBy('handshake_id')
          .execute();
        const { items, total } = page(rows, paging);
        const views: Handshake[] = [];
        for (const r of items) {
          const dir = await directoryById(tx, r.directory_id, false);
          if (dir) views.push(await view(tx, dir, r));
        }
        return { items: views, total };
      });
    },

    async acceptHandshake(accountId: string, handshakeId: string): Promise<Handshake> {
      return store.transaction(async (tx) => {
        const found = await lockedHandshake(tx, handshakeId);
        if (!found || found.row.target_account_id !== accountId) {
          throw invitationErr.handshakeNotFound(handshakeId);
        }
        const { row, dir } = found;
        const current = statusOf(row);
        if (current !== 'Pending') throw invitationErr.notPending(current);
        if (await inDirectory(tx, accountId)) throw invitationErr.targetInDirectory();
        const at = now();
        await insertInvitedMember(
          tx,
          dir,
          accountId,
          await helpers.memberDisplayName(tx, accountId),
          at,
          invitationErr.targetInDirectory,
        );
        await helpers.attachDefault(tx, dir, accountId);
        // The new member's principals are bounded from their next request on.
        await bumpDirectory(tx, dir.directory_id);
        const next = { ...row, status: 'Accepted', modify_time: at };
        await tx
          .updateTable('rd_handshakes')
          .set({ status: 'Accepted', modify_time: at })
          .where('handshake_id', '=', handshakeId)
          .execute();
        return view(tx, dir, next);
      });
    },

    declineHandshake: (accountId: string, handshakeId: string) =>
      settle(accountId, handshakeId, 'target', 'Declined'),

    cancelHandshake: (accountId: string, handshakeId: string) =>
      settle(accountId, handshakeId, 'master', 'Cancelled'),

    async registerDelegatedAdmin(
      accountId: string,
      memberId: string,
      servicePrincipal: string,
    ): Promise<void> {
      const service = canonicalService(servicePrincipal);
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        await requireMember(tx, dir, memberId);
        if (memberId === dir.master_account_id) throw invitationErr.delegateManagementAccount();
        const admins = await tx
          .selectFrom('rd_delegated_admins')
          .select('account_id')
          .where('directory_id', '=', dir.directory_id)
          .where('service_principal', '=', service)
          .execute();
        if (admins.some((a) => a.account_id === memberId)) throw invitationErr.alreadyRegistered();
        if (admins.length >= MAX_DELEGATED_ADMINS_PER_SERVICE) throw invitationErr.tooManyAdmins();
        try {
          await tx
            .insertInto('rd_delegated_admins')
            .values({
              account_id: memberId,
              service_principal: service,
              directory_id: dir.directory_id,
              enabled_time: now(),
            })
            .execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw invitationErr.alreadyRegistered();
          throw e;
        }
      });
    },

    async deregisterDelegatedAdmin(
      accountId: string,
      memberId: string,
      servicePrincipal: string,
    ): Promise<void> {
      const service = canonicalService(servicePrincipal);
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const removed = await tx
          .deleteFrom('rd_delegated_admins')
          .where('directory_id', '=', dir.directory_id)
          .where('account_id', '=', memberId)
          .where('service_principal', '=', service)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) throw invitationErr.notRegistered();
      });
    },

    async listDelegatedAdmins(
      accountId: string,
      servicePrincipal: string | undefined,
      paging: Paging,
    ): Promise<ListPage<DelegatedAdministrator>> {
      const service = servicePrincipal === undefined ? undefined : canonicalService(servicePrincipal);
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        let q = tx
          .selectFrom('rd_delegated_admins')
          .innerJoin('rd_accounts', 'rd_accounts.account_id', 'rd_delegated_admins.account_id')
          .select([
            'rd_delegated_admins.account_id',
            'rd_delegated_admins.service_principal',
            'rd_delegated_admins.enabled_time',
            'rd_accounts.display_name',
            'rd_accounts.join_method',
          ])
          .where('rd_delegated_admins.directory_id', '=', dir.directory_id)
          .orderBy('rd_delegated_admins.enabled_time')
          .orderBy('rd_delegated_admins.account_id')
          .orderBy('rd_delegated_admins.service_principal');
        if (service !== undefined) q = q.where('rd_delegated_admins.service_principal', '=', service);
        const rows = await q.execute();
        return page(
          rows.map((r) => ({
            accountId: r.account_id,
            displayName: r.display_name,
            joinMethod: r.join_method,
            servicePrincipal: r.service_principal,
            delegationEnabledTime: r.enabled_time,
          })),
          paging,
        );
      });
    },

    async listDelegatedServices(accountId: string, memberId: string): Promise<readonly DelegatedService[]> {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        await requireMember(tx, dir, memberId);
        const rows = await tx
          .selectFrom('rd_delegated_admins')
          .select(['service_principal', 'enabled_time'])
          .where('directory_id', '=', dir.directory_id)
          .where('account_id', '=', memberId)
          .orderBy('service_principal')
          .execute();
        return rows.map((r) => ({
          servicePrincipal: r.service_principal,
          delegationEnabledTime: r.enabled_time,
          status: 'ENABLED' as const,
        }));
      });
    },
  };
}
