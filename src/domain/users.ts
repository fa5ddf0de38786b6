import { apiError } from '../errors.js';
import { hotQuery, type Tx } from '../store/index.js';
import type { CreateUserInput, Page, PageRequest, UpdateUserInput, User, UsersDomain } from './index.js';
import type { DomainContext } from './context.js';
import {
  accountDomain,
  addToCount,
  blankToNull,
  deleteCounted,
  bumpPermissions,
  checkChars,
  checkFreeText,
  checkLength,
  decodeMarker,
  defaultDomain,
  hasControlChars,
  isoSeconds,
  lockAccount,
  nameKey,
  nowIso,
  pageSize,
  randomDigits,
  referencing,
  requireRoom,
  toPage,
  uniquely,
} from './common.js';
import { err } from './messages.js';
import { writeTags } from './tags.js';
import { asciiLowerCase } from '../text.js';
import { findUserRow, hasAttachedPolicy, lockUser, requireUser, userFromRow, type UserRow } from './rows.js';

const USER_WITH_ALIAS = hotQuery(
  'user_with_alias',
  `select u.account_id, u.user_id, u.user_name, u.name_key, u.display_name, u.email, u.mobile_phone,
          u.comments, u.create_date, u.update_date, u.last_login_date, a.alias
     from users u join accounts a on a.account_id = u.account_id
    where u.account_id = ? and u.name_key = ?`,
);

const NAME = /^[A-Za-z0-9._-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\d{1,4}-[\d*]{4,20}$/;

/** Checks a user name given as `param` (UserName or NewUserName). */
export function checkUserName(name: string, param = 'UserName'): void {
  checkLength(
    name,
    1,
    64,
    `InvalidParameter.${param}.Length`,
    `The parameter - "${param}" beyond the length limit.`,
  );
  checkChars(
    name,
    NAME,
    `InvalidParameter.${param}.InvalidChars`,
    `The parameter - "${param}" contains invalid chars.`,
  );
}

function checkProfile(
  p: { displayName?: string; email?: string; mobilePhone?: string; comments?: string },
  prefix: '' | 'New',
): void {
  const name = (n: string) => `${prefix}${n}`;
  if (p.displayName !== undefined && !(prefix === 'New' && p.displayName === '')) {
    checkLength(
      p.displayName,
      1,
      128,
      `InvalidParameter.${name('DisplayName')}.Length`,
      `The parameter - "${name('DisplayName')}" beyond the length limit.`,
    );
    checkFreeText(p.displayName, name('DisplayName'));
  }
  if (
    p.email !== undefined &&
    p.email !== '' &&
    (!EMAIL.test(p.email) || p.email.length > 128 || hasControlChars(p.email))
  ) {
    throw apiError(
      `InvalidParameter.${name('Email')}.Format`,
      `The parameter - "${name('Email')}" is not well formatted.`,
    );
  }
  if (p.mobilePhone !== undefined && p.mobilePhone !== '' && !PHONE.test(p.mobilePhone)) {
    throw apiError(
      `InvalidParameter.${name('MobilePhone')}.Format`,
      `The parameter - "${name('MobilePhone')}" is not well formatted.`,
    );
  }
  if (p.comments !== undefined && [...p.comments].length > 128) {
    throw apiError(
      `InvalidParameter.${name('Comments')}.Length`,
      `The parameter - "${name('Comments')}" beyond the length limit.`,
    );
  }
  checkFreeText(p.comments, name('Comments'));
}

/** The foreign keys that refer to a user, and the DeleteConflict each one means. */
const USER_CHILD_FKS: Readonly<Record<string, 'LoginProfile' | 'Group'>> = {
  login_profiles_user_fk: 'LoginProfile',
  group_members_user_fk: 'Group',
};

export function createUsers(ctx: DomainContext): UsersDomain {
  const { store } = ctx;

  async function view(tx: Tx, accountId: string, userName: string): Promise<User> {
    const row = await requireUser(tx, accountId, userName);
    return userFromRow(row, await accountDomain(tx, accountId));
  }

  return {
    async create(accountId, input: CreateUserInput) {
      checkUserName(input.userName);
      checkProfile(input, '');
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        if (await findUserRow(tx, accountId, input.userName)) throw err.userExists(input.userName);
        await requireRoom(ctx, tx, 'users', accountId, err.userLimit);
        const now = nowIso(ctx);
        await uniquely(
          () =>
            tx
              .insertInto('users')
              .values({
                account_id: accountId,
                user_id: randomDigits(16),
                user_name: input.userName,
                name_key: nameKey(input.userName),
                display_name: blankToNull(input.displayName),
                email: blankToNull(input.email),
                mobile_phone: blankToNull(input.mobilePhone),
                comments: blankToNull(input.comments),
                create_date: now,
                update_date: now,
                last_login_date: null,
              })
              .execute(),
          () => err.userExists(input.userName),
        );
        await addToCount(tx, 'users', accountId, 1);
        const user = await view(tx, accountId, input.userName);
        // Users share the tags table as type `user`; a quota refusal undoes the user with them.
        if (input.tags) await writeTags(ctx, tx, accountId, 'user' as 'role', user.userId, input.tags);
        return user;
      });
    },

    async get(accountId, userName) {
      // The read GetUser answers on every call: one hot read of the user with its account's alias.
      const row = await store.first<UserRow & { alias: string | null }>(USER_WITH_ALIAS, [
        accountId,
        nameKey(userName),
      ]);
      if (!row) throw err.userNotExist(userName);
      return userFromRow(row, defaultDomain(accountId, row.alias));
    },

    async findById(accountId, userId) {
      const row = await store.db
        .selectFrom('users')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? userFromRow(row, await accountDomain(store.db, accountId)) : undefined;
    },

    async findByPrincipalName(accountId, upn) {
      const at = upn.lastIndexOf('@');
      if (at <= 0) return undefined;
      const domain = await accountDomain(store.db, accountId);
      if (asciiLowerCase(upn.slice(at + 1)) !== asciiLowerCase(domain)) return undefined;
      if (!NAME.test(upn.slice(0, at))) return undefined;
      const row = await findUserRow(store.db, accountId, upn.slice(0, at));
      return row ? userFromRow(row, domain) : undefined;
    },

    async update(accountId, userName, input: UpdateUserInput) {
      if (input.newUserName !== undefined) checkUserName(input.newUserName, 'NewUserName');
      checkProfile(
        {
          displayName: input.newDisplayName,
          email: input.newEmail,
          mobilePhone: input.newMobilePhone,
          comments: input.newComments,
        },
        'New',
      );
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await requireUser(tx, accountId, userName);
        const newName = input.newUserName ?? row.user_name;
        if (nameKey(newName) !== row.name_key && (await findUserRow(tx, accountId, newName))) {
          throw err.userExists(newName);
        }
        const set = {
          user_name: newName,
          name_key: nameKey(newName),
          ...(input.newDisplayName !== undefined ? { display_name: blankToNull(input.newDisplayName) } : {}),
          ...(input.newEmail !== undefined ? { email: blankToNull(input.newEmail) } : {}),
          ...(input.newMobilePhone !== undefined ? { mobile_phone: blankToNull(input.newMobilePhone) } : {}),
          ...(input.newComments !== undefined ? { comments: blankToNull(input.newComments) } : {}),
          update_date: nowIso(ctx),
        };
        await uniquely(
          () =>
            tx
              .updateTable('users')
              .set(set)
              .where('account_id', '=', accountId)
              .where('user_id', '=', row.user_id)
              .execute(),
          () => err.userExists(newName),
        );
        // A rename changes the user's ARN, which policies may name: permissions can change.
        if (newName !== row.user_name) await bumpPermissions(tx, accountId);
        return view(tx, accountId, newName);
      });
    },

    async delete(accountId, userName) {
      await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        // Creates of the user's children lock the user row too: none is under way now.
        const row = await lockUser(ctx, tx, accountId, userName);
        const id = row.user_id;
        for (const [table, what] of [
          ['access_keys', 'AccessKey'],
          ['login_profiles', 'LoginProfile'],
          ['mfa_devices', 'MFADevice'],
          ['group_members', 'Group'],
        ] as const) {
          const owned = await tx
            .selectFrom(table)
            .select('user_id')
            .where('account_id', '=', accountId)
            .where('user_id', '=', id)
            .executeTakeFirst();
          if (owned) throw err.userDeleteConflict(what, row.user_name);
        }
        if (await hasAttachedPolicy(tx, accountId, 'user', id))
          throw err.userDeleteConflict('Policy', row.user_name);
        // An unbound device the user created for itself under self-service stays, as any device.
        await tx
          .updateTable('mfa_devices')
          .set({ owner_user_id: null })
          .where('account_id', '=', accountId)
          .where('owner_user_id', '=', id)
          .execute();
        // The user's security keys go with it: they sign in only together with the password,
        // whose login profile already blocks the deletion (DeleteConflict.User.LoginProfile),
        // and no call of the API removes another principal's key.
        await tx
          .deleteFrom('webauthn_credentials')
          .where('account_id', '=', accountId)
          .where('principal_type', '=', 'RAMUser')
          .where('user_id', '=', id)
          .execute();
        // Tags set through IMS go with the user.
        await tx
          .deleteFrom('tags')
          .where('account_id', '=', accountId)
          .where('resource_type', '=', 'user')
          .where('resource_id', '=', id)
          .execute();
        await referencing(
          () => deleteCounted(tx, 'users', accountId, id),
          (constraint) =>
            err.userDeleteConflict(USER_CHILD_FKS[constraint ?? ''] ?? 'LoginProfile', row.user_name),
        );
        await bumpPermissions(tx, accountId);
      });
    },

    async list(accountId, page?: PageRequest): Promise<Page<User>> {
      const limit = pageSize(page, 1000);
      const after = decodeMarker(page?.marker);
      let q = store.db.selectFrom('users').selectAll().where('account_id', '=', accountId);
      if (after !== undefined) q = q.where('name_key', '>', after);
      const rows = await q
        .orderBy('name_key')
        .limit(limit + 1)
        .execute();
      const domain = await accountDomain(store.db, accountId);
      return toPage(
        rows,
        limit,
        (r) => r.name_key,
        (r) => userFromRow(r, domain),
      );
    },

    async recordLogin(accountId, userName, at) {
      await store.transaction(async (tx) => {
        const row = await requireUser(tx, accountId, userName);
        await tx
          .updateTable('users')
          .set({ last_login_date: isoSeconds(at ?? ctx.clock()) })
          .where('account_id', '=', accountId)
          .where('user_id', '=', row.user_id)
          .execute();
      });
    },
  };
}
