/**
 * How IMS names users: by UserPrincipalName (`<user name>@<domain>`, the domain being the
 * account's default domain `<alias or account id>.onaliyun.com` or its auxiliary domain), by
 * UserId, or by one of the user's AccessKey ids. Every form resolves to the stored user; its
 * name is looked up ignoring case, exactly as RAM's UserName, so RAM and IMS act on one user.
 */
import type { Principal } from '../../auth/principal.js';
import type { Domain, User } from '../../domain/index.js';
import { nameKey } from '../../domain/common.js';
import { apiError, missingParameter, paramError } from '../../errors.js';
import type { EntityRef, SelfService } from '../action.js';
import { Param } from '../params.js';
import { ramResource } from '../ram/resources.js';
import { asciiLowerCase } from '../../text.js';

export interface PrincipalName {
  /** As the caller wrote it. */
  readonly upn: string;
  /** The part before the last `@`. */
  readonly userName: string;
  /** The part after it, lower-cased. */
  readonly domain: string;
}

const USER_PART = /^[A-Za-z0-9._-]{1,64}$/;
const DOMAIN_PART = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A UserPrincipalName (or NewUserPrincipalName): 1..128 characters, `<name>@<domain>` where the
 * name is 1..64 letters, digits, `.`, `_`, `-` (RAM's user name rule) and the domain a DNS-like
 * name. Codes: InvalidParameter.<param>.Length, InvalidParameter.<param>.Format.
 */
export function userPrincipalName(): Param<PrincipalName> {
  return new Param((raw, param) => {
    if (raw.length < 1 || raw.length > 128) {
      throw paramError(
        `InvalidParameter.${param}.Length`,
        `The parameter - "${param}" beyond the length limit.`,
      );
    }
    const at = raw.lastIndexOf('@');
    const userName = raw.slice(0, at);
    const domain = raw.slice(at + 1);
    if (at <= 0 || !USER_PART.test(userName) || !DOMAIN_PART.test(domain)) {
      throw paramError(
        `InvalidParameter.${param}.Format`,
        `The parameter - "${param}" MUST be <user name>@<domain>: a user name of 1 to 64 letters, digits, ".", "_" or "-", and the account's domain.`,
      );
    }
    return { upn: raw, userName, domain: asciiLowerCase(domain) };
  });
}

/** A user id as the service issues them (16 digits; up to 32 accepted). */
export function userId(): Param<string> {
  return new Param((raw, param) => {
    if (!/^[0-9]{1,32}$/.test(raw)) {
      throw paramError(
        `InvalidParameter.${param}.Format`,
        `The parameter - "${param}" is not a valid user id.`,
      );
    }
    return raw;
  });
}

/** The entity a principal name points at, for the authorize step (resolved to the stored user). */
export const userRef = (accountId: string, name: PrincipalName): EntityRef =>
  ramResource.user(accountId, name.userName);

/** A user named by id or AccessKey id, for the authorize step. */
export const userRefBy = (accountId: string, by: 'userId' | 'accessKeyId', id: string): EntityRef => ({
  ...ramResource.user(accountId, id),
  by,
});

const noSuchUser = (name: string) => apiError('EntityNotExist.User', `The user does not exist: ${name}.`);

/**
 * The stored user a principal name names: the domain must be one of the account's (default
 * or auxiliary, ignoring case), else EntityNotExist.User as for an unknown name.
 */
export async function resolveUser(domain: Domain, accountId: string, name: PrincipalName): Promise<User> {
  const domains = await domain.ssoSettings.principalDomains(accountId);
  if (!domains.includes(name.domain)) throw noSuchUser(name.upn);
  return domain.users.get(accountId, name.userName);
}

/** The user name a principal name stands for, once its domain is checked. */
export async function resolveUserName(
  domain: Domain,
  accountId: string,
  name: PrincipalName,
): Promise<string> {
  return (await resolveUser(domain, accountId, name)).userName;
}

/** The user with this id; EntityNotExist.User when none. */
export async function resolveUserById(domain: Domain, accountId: string, id: string): Promise<User> {
  const user = await domain.users.findById(accountId, id);
  if (!user) throw noSuchUser(id);
  return user;
}

/**
 * Whose AccessKeys (or MFA, password) an operation with an optional UserPrincipalName acts on:
 * the named user; without one, the calling RAM user, or the root's own keys for the root. A
 * role session must name a user (MissingUserPrincipalName).
 */
export type Owner =
  | { readonly kind: 'user'; readonly name?: PrincipalName; readonly userName: string }
  | { readonly kind: 'root' };

export function owner(principal: Principal, name: PrincipalName | undefined): Owner {
  if (name !== undefined) return { kind: 'user', name, userName: name.userName };
  switch (principal.type) {
    case 'RAMUser':
      return { kind: 'user', userName: principal.userName };
    case 'Root':
      return { kind: 'root' };
    case 'AssumedRole':
    case 'Anonymous':
      throw missingParameter('UserPrincipalName');
  }
}

/** The resource an owner is authorized against: the user, or the account for the root. */
export function ownerResource(accountId: string, o: Owner): EntityRef | string {
  return o.kind === 'user' ? ramResource.user(accountId, o.userName) : ramResource.account(accountId);
}

/** `{ selfService }` when a RAM user acts on its own user, for the security preference to allow it. */
export function selfServiceFor(
  principal: Principal,
  o: Owner,
  kind: SelfService,
): { readonly selfService?: SelfService } {
  if (principal.type !== 'RAMUser' || o.kind !== 'user') return {};
  return nameKey(o.userName) === nameKey(principal.userName) ? { selfService: kind } : {};
}

/** The user name an owner resolves to (the principal name's domain checked), for a user owner. */
export async function ownerUserName(
  domain: Domain,
  accountId: string,
  o: Owner & { kind: 'user' },
): Promise<string> {
  return o.name ? resolveUserName(domain, accountId, o.name) : o.userName;
}
