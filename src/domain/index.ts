import type { Tx } from '../store/index.js';
/**
 * The business rules over the store: accounts, users, groups, roles, policies, keys, MFA,
 * password policy, security preferences and tags. No HTTP here: the API layer maps these
 * camelCase entities to wire names and back.
 *
 * Conventions
 * - Every method takes the account id first and works inside that account only.
 * - Names (user, group, role, policy, MFA device) are unique per account case-insensitively,
 *   stored and returned as written. Look-ups by name ignore case.
 * - Every mutating method runs in one store transaction: it either happens completely or
 *   not at all. Errors are ApiError (src/errors.ts) with the service's codes; the doc
 *   comment of each method lists the codes it throws besides InvalidParameter.* input checks.
 * - The domain checks its inputs itself (names, lengths, ranges), with the same codes the
 *   API layer uses, so callers other than the API (CLI, console) get identical answers.
 * - Dates are ISO 8601 UTC with second precision, as the service writes them:
 *   `2015-01-23T12:33:18Z`.
 * - List methods return a Page: `{ items, isTruncated, marker? }`. The marker is opaque;
 *   pass it back unchanged to get the next page. Order is stable (by name, ignoring case).
 */

import type { ResourceDirectoryDomain } from './resource-directory.js';
import type { ControlPoliciesDomain } from './control-policies.js';
import type { StsDomain } from './sts.js';
import type { WorkloadsDomain } from './workloads.js';
export type { WorkloadIssuance } from './workloads.js';

import type { AccountSummaryDomain } from './account-summary.js';
import type { CredentialReportsDomain } from './credential-report.js';
import type { FederationProvidersDomain } from './federation-providers.js';
import type { SsoSettingsDomain } from './sso-settings.js';
import type { SamlReplayDomain } from './saml-replay.js';
import type { UserTagsDomain } from './user-tags.js';

export type { StsDomain, WorkloadsDomain };
import type { RelyingParty, WebAuthnDomain } from './webauthn.js';
export type { RelyingParty, WebAuthnDomain, WebAuthnCredentialView, WebAuthnOwner } from './webauthn.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

export interface Page<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  /** Present when isTruncated: pass it as `marker` to read on. */
  readonly marker?: string;
}

export interface PageRequest {
  /** Opaque marker from a previous page. An unknown or damaged marker: InvalidParameter. */
  readonly marker?: string;
  /** 1..1000 (1..100 for groups); default 100. Out of range: InvalidParameter. */
  readonly maxItems?: number;
}

export interface Tag {
  readonly tagKey: string;
  readonly tagValue: string;
}

/** Tag filter of ListRoles / ListPolicies: every given key must be present (with the value, when given). */
export interface TagFilter {
  readonly tagKey: string;
  readonly tagValue?: string;
}

export type PolicyType = 'System' | 'Custom';

// ---------------------------------------------------------------------------------------------
// Entities

export interface Account {
  /** 16 digits, random, unique in the deployment. */
  readonly accountId: string;
  readonly alias?: string;
  /**
   * The root login name: `root@<alias>.onaliyun.com` when the account has an alias,
   * otherwise `root@<accountId>.onaliyun.com`.
   */
  readonly rootLoginName: string;
  /** The default domain: `<alias>.onaliyun.com`, or `<accountId>.onaliyun.com` without alias. */
  readonly defaultDomain: string;
  readonly createDate: string;
}

export interface CreatedAccount {
  readonly accountId: string;
  readonly alias?: string;
  readonly rootLoginName: string;
}

export interface User {
  /** 16 digits. */
  readonly userId: string;
  readonly userName: string;
  /** `<userName>@<default domain>` (IMS). */
  readonly userPrincipalName: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly mobilePhone?: string;
  readonly comments?: string;
  readonly createDate: string;
  readonly updateDate: string;
  readonly lastLoginDate?: string;
}

export interface AccessKey {
  /** `LTAI` + 20 letters and digits. */
  readonly accessKeyId: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: string;
  /** The owner; undefined for a root key. */
  readonly userName?: string;
  readonly userId?: string;
}

/** What CreateAccessKey answers: the only time the secret is ever returned. */
export interface CreatedAccessKey extends AccessKey {
  /** 30 letters and digits. */
  readonly accessKeySecret: string;
}

export interface AccessKeyLastUsed {
  /** Undefined when the key was never used. */
  readonly lastUsedDate?: string;
}

export interface LoginProfile {
  readonly userName: string;
  readonly passwordResetRequired: boolean;
  readonly mfaBindRequired: boolean;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: string;
  readonly updateDate: string;
}

export interface VirtualMFADevice {
  /** `acs:ram::<accountId>:mfa/<name>`. */
  readonly serialNumber: string;
  readonly virtualMFADeviceName: string;
  readonly createDate: string;
  /** When it was bound to a user; undefined while unbound. */
  readonly activateDate?: string;
  /** The bound user; undefined while unbound. */
  readonly user?: { readonly userId: string; readonly userName: string; readonly displayName?: string };
}

/** What CreateVirtualMFADevice answers: the only time the seed is ever returned. */
export interface CreatedVirtualMFADevice {
  readonly serialNumber: string;
  readonly virtualMFADeviceName: string;
  /** The TOTP secret, RFC 4648 base32 without padding. */
  readonly base32StringSeed: string;
  /** otpauth://totp/<label>?secret=...&issuer=... */
  readonly otpauthUrl: string;
  /** Base64 of a PNG image of a QR code that holds otpauthUrl. */
  readonly qrCodePng: string;
}

/** GetUserMFAInfo. */
export interface UserMFAInfo {
  readonly serialNumber: string;
  readonly type: 'VMFA';
  readonly activateDate?: string;
}

export interface Group {
  /** `g-` + 16 letters and digits. */
  readonly groupId: string;
  readonly groupName: string;
  readonly displayName?: string;
  readonly comments?: string;
  readonly createDate: string;
  readonly updateDate: string;
}

/** A group as ListGroupsForUser shows it. */
export interface GroupOfUser extends Group {
  readonly joinDate: string;
}

/** A member as ListUsersForGroup shows it. */
export interface GroupMember extends User {
  readonly joinDate: string;
}

export interface Role {
  /** 16 to 19 digits. */
  readonly roleId: string;
  readonly roleName: string;
  /** `acs:ram::<accountId>:role/<lower-cased role name>`. */
  readonly arn: string;
  readonly description?: string;
  readonly assumeRolePolicyDocument: string;
  /** Seconds, 3600..43200. */
  readonly maxSessionDuration: number;
  readonly createDate: string;
  readonly updateDate: string;
  readonly tags: readonly Tag[];
}

export interface Policy {
  readonly policyName: string;
  readonly policyType: PolicyType;
  readonly description?: string;
  /** e.g. `v3`. */
  readonly defaultVersion: string;
  /** Number of users, groups and roles it is attached to in this account. */
  readonly attachmentCount: number;
  readonly createDate: string;
  readonly updateDate: string;
  /** Custom policies only; empty for System policies. */
  readonly tags: readonly Tag[];
}

export interface PolicyVersion {
  /** `v1`, `v2`, ... never reused within a policy. */
  readonly versionId: string;
  readonly isDefaultVersion: boolean;
  readonly policyDocument: string;
  readonly createDate: string;
}

/** GetPolicy: the policy and its default version. */
export interface PolicyWithDefaultVersion {
  readonly policy: Policy;
  readonly defaultPolicyVersion: PolicyVersion;
}

/** A policy as ListPoliciesForUser/Group/Role shows it. */
export interface AttachedPolicy {
  readonly policyName: string;
  readonly policyType: PolicyType;
  readonly description?: string;
  readonly defaultVersion: string;
  readonly attachDate: string;
}

/** ListEntitiesForPolicy. */
export interface PolicyEntities {
  readonly users: readonly {
    readonly userId: string;
    readonly userName: string;
    readonly displayName?: string;
    readonly attachDate: string;
  }[];
  readonly groups: readonly {
    readonly groupName: string;
    readonly comments?: string;
    readonly attachDate: string;
  }[];
  readonly roles: readonly {
    readonly roleId: string;
    readonly roleName: string;
    readonly arn: string;
    readonly description?: string;
    readonly attachDate: string;
  }[];
}

/** Whom a policy is attached to. */
export type AttachmentTarget =
  | { readonly kind: 'user'; readonly userName: string }
  | { readonly kind: 'group'; readonly groupName: string }
  | { readonly kind: 'role'; readonly roleName: string };

export interface PasswordPolicy {
  /** 8..32, default 8. */
  readonly minimumPasswordLength: number;
  readonly requireLowercaseCharacters: boolean;
  readonly requireUppercaseCharacters: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
  /** RAM spells it HardExpiry, IMS HardExpire. */
  readonly hardExpiry: boolean;
  /** 0..32, 0 = unlimited. The service's own spelling (MaxLoginAttemps). */
  readonly maxLoginAttemps: number;
  /** 0..24, 0 = reuse allowed. */
  readonly passwordReusePrevention: number;
  /** Days, 0..1095, 0 = never expires. */
  readonly maxPasswordAge: number;
  /** 0..8, 0 = no limit. */
  readonly minimumPasswordDifferentCharacter: number;
  readonly passwordNotContainUserName: boolean;
}

export type MFAOperationForLogin = 'mandatory' | 'independent' | 'adaptive';
export type OperationForRiskLogin = 'autonomous' | 'enforceVerify';

export interface SecurityPreference {
  readonly enableSaveMFATicket: boolean;
  readonly allowUserToChangePassword: boolean;
  readonly allowUserToManageAccessKeys: boolean;
  readonly allowUserToManageMFADevices: boolean;
  readonly allowUserToManagePublicKeys: boolean;
  readonly allowUserToManagePersonalDingTalk: boolean;
  readonly allowUserToLoginWithPasskey: boolean;
  /** Hours, 1..24, default 6. */
  readonly loginSessionDuration: number;
  /** `;`-separated CIDR blocks, at most 40, at most 512 characters; empty = any address. */
  readonly loginNetworkMasks: string;
  readonly mfaOperationForLogin: MFAOperationForLogin;
  /** Legacy form of mfaOperationForLogin: true exactly when it is 'mandatory'. */
  readonly enforceMFAForLogin: boolean;
  readonly operationForRiskLogin: OperationForRiskLogin;
  /** 'sms' | 'email'. */
  readonly verificationTypes: readonly string[];
  /** Days; undefined = never. One of 90, 180, 365, 730. */
  readonly maxIdleDaysForAccessKeys?: number;
  /** Days; undefined = never. One of 90, 180, 365, 730. */
  readonly maxIdleDaysForUsers?: number;
}

/** ListTagResources row. */
export interface TagResource {
  readonly resourceType: TaggableResourceType;
  readonly resourceName: string;
  readonly tagKey: string;
  readonly tagValue: string;
}

export type TaggableResourceType = 'role' | 'policy';

export interface Quotas {
  readonly usersPerAccount: number; // 5000
  readonly groupsPerAccount: number; // 300
  readonly rolesPerAccount: number; // 1000
  readonly customPoliciesPerAccount: number; // 1500
  readonly virtualMFADevicesPerAccount: number; // 5000
  readonly groupsPerUser: number; // 10
  readonly accessKeysPerUser: number; // 2
  readonly accessKeysPerRoot: number; // 2
  readonly systemPoliciesPerIdentity: number; // 20 (user, group, role each)
  readonly customPoliciesPerIdentity: number; // 10
  readonly versionsPerPolicy: number; // 5
  readonly tagsPerResource: number; // 20
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface CreateUserInput {
  readonly userName: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly mobilePhone?: string;
  readonly comments?: string;
  /** Tags written with the user, in its transaction (checked with checkTags beforehand). */
  readonly tags?: readonly Tag[];
}

/** Fields left undefined stay as they are; an empty string clears an optional field. */
export interface UpdateUserInput {
  readonly newUserName?: string;
  readonly newDisplayName?: string;
  readonly newEmail?: string;
  readonly newMobilePhone?: string;
  readonly newComments?: string;
}

export interface CreateLoginProfileInput {
  readonly password: string;
  readonly passwordResetRequired?: boolean;
  readonly mfaBindRequired?: boolean;
  /** Created disabled when Inactive (never active in between); Active by default. */
  readonly status?: 'Active' | 'Inactive';
}

export interface UpdateLoginProfileInput {
  readonly password?: string;
  readonly passwordResetRequired?: boolean;
  readonly mfaBindRequired?: boolean;
  readonly status?: 'Active' | 'Inactive';
}

/** Result of a console password check. */
export type PasswordCheck =
  | {
      readonly ok: true;
      /** True when the profile says so, or when the password is older than MaxPasswordAge (HardExpiry off). */
      readonly passwordResetRequired: boolean;
      readonly mfaBindRequired: boolean;
      /** The password is older than the policy's MaxPasswordAge. */
      readonly passwordExpired: boolean;
      /** The user, as stored (its name as written). */
      readonly userId: string;
      readonly userName: string;
      /** A digest of the password hash that was checked (what logon steps are bound to). */
      readonly passwordStamp: string;
    }
  | {
      readonly ok: false;
      /** Expired: older than MaxPasswordAge with HardExpiry on (an administrator must reset it). */
      readonly reason: 'NoLoginProfile' | 'Inactive' | 'WrongPassword' | 'Locked' | 'Expired';
    };

export interface CreateGroupInput {
  readonly groupName: string;
  readonly comments?: string;
  readonly displayName?: string;
}

export interface UpdateGroupInput {
  readonly newGroupName?: string;
  readonly newComments?: string;
  readonly newDisplayName?: string;
}

export interface CreateRoleInput {
  readonly roleName: string;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  /** 3600..43200, default 3600. */
  readonly maxSessionDuration?: number;
  readonly tags?: readonly Tag[];
}

export interface UpdateRoleInput {
  readonly newAssumeRolePolicyDocument?: string;
  readonly newDescription?: string;
  readonly newMaxSessionDuration?: number;
}

export interface CreatePolicyInput {
  readonly policyName: string;
  readonly policyDocument: string;
  readonly description?: string;
  readonly tags?: readonly Tag[];
}

export interface CreatePolicyVersionInput {
  readonly policyDocument: string;
  readonly setAsDefault?: boolean;
  readonly rotateStrategy?: 'None' | 'DeleteOldestNonDefaultVersionWhenLimitExceeded';
}

export interface ListPoliciesInput extends PageRequest {
  readonly policyType?: PolicyType;
  readonly tags?: readonly TagFilter[];
}

export interface ListRolesInput extends PageRequest {
  readonly tags?: readonly TagFilter[];
}

export interface ListTagResourcesInput {
  readonly resourceType: TaggableResourceType;
  /** Resource names (role or policy names); all tagged resources of the type when absent. */
  readonly resourceNames?: readonly string[];
  /** Only tags whose key (and value, when given) match one of these. */
  readonly tags?: readonly TagFilter[];
  readonly nextToken?: string;
  /** 1..100; default 50. */
  readonly pageSize?: number;
}

export interface TagPage {
  readonly items: readonly TagResource[];
  readonly nextToken?: string;
}

export interface SetSecurityPreferenceInput {
  readonly enableSaveMFATicket?: boolean;
  readonly allowUserToChangePassword?: boolean;
  readonly allowUserToManageAccessKeys?: boolean;
  readonly allowUserToManageMFADevices?: boolean;
  readonly allowUserToManagePublicKeys?: boolean;
  readonly allowUserToManagePersonalDingTalk?: boolean;
  readonly allowUserToLoginWithPasskey?: boolean;
  readonly loginSessionDuration?: number;
  readonly loginNetworkMasks?: string;
  readonly mfaOperationForLogin?: MFAOperationForLogin;
  /** Legacy: true sets mfaOperationForLogin 'mandatory', false sets 'independent'. */
  readonly enforceMFAForLogin?: boolean;
  readonly operationForRiskLogin?: OperationForRiskLogin;
  readonly verificationTypes?: readonly string[];
  /** 0 clears. */
  readonly maxIdleDaysForAccessKeys?: number;
  /** 0 clears. */
  readonly maxIdleDaysForUsers?: number;
}

// ---------------------------------------------------------------------------------------------
// The Domain

export interface Domain {
  readonly accounts: AccountsDomain;
  readonly users: UsersDomain;
  readonly loginProfiles: LoginProfilesDomain;
  readonly accessKeys: AccessKeysDomain;
  readonly mfa: MfaDomain;
  readonly groups: GroupsDomain;
  readonly roles: RolesDomain;
  readonly policies: PoliciesDomain;
  readonly attachments: AttachmentsDomain;
  readonly passwordPolicy: PasswordPolicyDomain;
  readonly securityPreference: SecurityPreferenceDomain;
  readonly tags: TagsDomain;
  readonly idleCredentials: IdleCredentialsDomain;
  readonly sts: StsDomain;
  readonly workloads: WorkloadsDomain;
  readonly sessions: SessionsDomain;
  readonly logon: LogonDomain;
  readonly webauthn: WebAuthnDomain;
  readonly federationProviders: FederationProvidersDomain;
  readonly ssoSettings: SsoSettingsDomain;
  /** Accepted SAML assertion IDs and pending AuthnRequests (single sign-on). */
  readonly samlReplay: SamlReplayDomain;
  readonly userTags: UserTagsDomain;
  readonly accountSummary: AccountSummaryDomain;
  readonly credentialReports: CredentialReportsDomain;
  readonly resourceDirectory: ResourceDirectoryDomain;
  readonly controlPolicies: ControlPoliciesDomain;
}

// ---------------------------------------------------------------------------------------------
// Console logon (docs/logon.md)

/** Who a console session or a logon step belongs to. */
export type SessionPrincipal =
  | { readonly type: 'Root'; readonly accountId: string }
  | {
      readonly type: 'RAMUser';
      readonly accountId: string;
      readonly userId: string;
      /** The user's current name (as stored). */
      readonly userName: string;
    };

/**
 * The principal of a role-based SSO console session: a role session vouched for by a SAML
 * provider (never the subject of a password logon or its steps).
 */
export interface RoleSessionPrincipal {
  readonly type: 'AssumedRole';
  readonly accountId: string;
  readonly roleId: string;
  /** The role's current name (as stored). */
  readonly roleName: string;
  readonly sessionName: string;
  /** The SAML provider's ARN. */
  readonly providerArn: string;
}

export interface ResolvedSession {
  readonly principal: SessionPrincipal | RoleSessionPrincipal;
  /** The logon passed an MFA code (or bound a device with two codes). */
  readonly mfaPresent: boolean;
  readonly expiresAt: Date;
  /** The address the logon came from. */
  readonly sourceIp: string;
}

export interface SessionsDomain {
  /**
   * A new session for the principal, for the account's LoginSessionDuration; records the RAM
   * user's last logon (LastLoginDate). Returns the opaque id (only its SHA-256 is stored).
   */
  create(
    principal: SessionPrincipal | RoleSessionPrincipal,
    opts: {
      readonly mfaPresent: boolean;
      readonly sourceIp: string;
      /** An earlier end than LoginSessionDuration gives (role-based SSO). */
      readonly notAfter?: Date;
    },
  ): Promise<{ sessionId: string; expiresAt: Date }>;
  /**
   * The live session of an id, or undefined: unknown, malformed, expired, ended by logoff, or
   * ended because its user, login profile (deleted or disabled) or account is gone.
   */
  resolve(sessionId: string): Promise<ResolvedSession | undefined>;
  /** Logoff: ends the session; false when there was none. */
  end(sessionId: string): Promise<boolean>;
}

export type LogonStep = 'MFA' | 'ChangePassword' | 'BindMFA';

/** What a logon call answers: a session, or the next step to complete with its token. */
export type LogonOutcome =
  | {
      readonly kind: 'Session';
      readonly sessionId: string;
      readonly expiresAt: Date;
      readonly principal: SessionPrincipal;
      readonly mfaPresent: boolean;
      /** A remembered-MFA ticket issued with the session (the user asked, the preference allows). */
      readonly mfaTicket?: { readonly token: string; readonly expiresAt: Date };
      /** The MFA step was skipped: a valid remembered-MFA ticket stood for it. */
      readonly mfaRemembered?: boolean;
    }
  | {
      readonly kind: 'Step';
      readonly step: LogonStep;
      readonly stepToken: string;
      readonly expiresAt: Date;
      /** BindMFA after its first call: the new device to add to an authenticator app. */
      readonly device?: CreatedVirtualMFADevice;
      /** An MFA step that may be remembered for 7 days (a RAM user; EnableSaveMFATicket on). */
      readonly canRememberMfa?: boolean;
    }
  /** A step started from a session (binding an MFA device) is complete. */
  | { readonly kind: 'Done' };

/**
 * Authorizes one operation of an MFA binding started from a session, as the API authorizes the
 * call that does it: creating the device named `deviceName` (CreateVirtualMFADevice) or, without
 * one, binding the device to the principal (BindMFADevice). Throws the refusal.
 */
export type SessionBindingCheck = (
  principal: SessionPrincipal,
  mfaPresent: boolean,
  deviceName?: string,
) => Promise<void>;

export interface LogonDomain {
  /**
   * A password logon by login name (`root@<alias|accountId>.onaliyun.com`,
   * `<user>@<alias|accountId>.onaliyun.com`). Throws AuthenticationFail.Logon for every failure
   * that must not be told apart (no such account or user, no or a disabled login profile, a
   * wrong password, a locked logon), Throttling.User (too many failures from the address or for
   * the name), Forbidden.LoginNetwork (a RAM user outside LoginNetworkMasks),
   * Forbidden.PasswordExpired (HardExpiry).
   */
  start(input: {
    readonly loginName: string;
    readonly password: string;
    readonly sourceIp: string;
    /** A remembered-MFA ticket the browser presented (cookie); it skips the MFA step when valid. */
    readonly mfaTicket?: string;
  }): Promise<LogonOutcome>;
  /**
   * The MFA step. Throws InvalidStepToken, CheckAuthenticationCodeFail (the token is then spent).
   * With remember (a RAM user, EnableSaveMFATicket on), the session comes with a ticket.
   */
  completeMfa(stepToken: string, code: string, sourceIp: string, remember?: boolean): Promise<LogonOutcome>;
  /**
   * The WebAuthn challenge of an MFA step (the token stays valid). Throws InvalidStepToken,
   * EntityNotExist.WebAuthnCredential (the principal has no security key).
   */
  webauthnOptions(stepToken: string, rp: RelyingParty): Promise<Record<string, unknown>>;
  /** The MFA step passed with a security key; a refused answer spends the token like a wrong code. */
  completeMfaWithWebAuthn(
    stepToken: string,
    response: unknown,
    rp: RelyingParty,
    sourceIp: string,
    remember?: boolean,
  ): Promise<LogonOutcome>;
  /**
   * The ChangePassword step. Throws InvalidStepToken, InvalidParameter.NewPassword.TooWeak /
   * .ReusePrevention (the token stays valid for another try).
   */
  changePassword(stepToken: string, newPassword: string, sourceIp: string): Promise<LogonOutcome>;
  /**
   * The BindMFA step: without codes, creates the device and answers the step again with it and
   * a new token; with the two consecutive codes of that device, binds it. Throws
   * InvalidStepToken, InvalidParameter.AuthenticationCode.Format, CheckAuthenticationCodeFail
   * (the token stays valid for another try). A binding started from a session (startMfaBinding)
   * is the person's own change: `authorize` is asked before the device is created and before it
   * is bound, and its refusal leaves the token valid; a binding the logon demands is not asked.
   */
  bindMfa(
    stepToken: string,
    codes: { readonly code1: string; readonly code2: string } | undefined,
    sourceIp: string,
    authorize: SessionBindingCheck,
  ): Promise<LogonOutcome>;
  /**
   * Binding an MFA device from a session: a BindMFA step token. The caller has authorized the
   * binding (src/api/logon/self-service.ts: the security preference is part of that decision).
   * Throws EntityAlreadyExists.User.MFADevice.
   */
  startMfaBinding(session: ResolvedSession, sourceIp: string): Promise<LogonOutcome>;
  /**
   * Changing one's own password from a session: ChangePassword's rules and codes. The caller has
   * authorized it (ram:ChangePassword, with the security preference's AllowUserToChangePassword).
   */
  changeOwnPassword(session: ResolvedSession, oldPassword: string, newPassword: string): Promise<void>;
  /**
   * Unbinding one's own virtual MFA device from a session with a current code (MfaDomain
   * unbindOwn). The code is a try like a password at the MFA step: counted against the address
   * and the name before it is checked, given back when right, Throttling.User past the limit.
   */
  unbindOwnMfa(session: ResolvedSession, code: string, sourceIp: string): Promise<{ serialNumber: string }>;
  /** Clears the failure counters of the root's login names (with `rampart admin unlock-root`). */
  clearRootThrottle(accountId: string): Promise<void>;
}

export interface IdleCredentialsDomain {
  /**
   * Disables, in every account whose security preference sets them, the RAM users' AccessKeys
   * unused for MaxIdleDaysForAccessKeys days and the console logons (login profiles) of users
   * who have not logged on for MaxIdleDaysForUsers days. Idempotent. Returns what it changed.
   * `onDisabled` runs in the transaction of each change, with what it disabled (the audit
   * trail records the automatic change there, so it commits with it or not at all).
   */
  disableIdle(
    onDisabled?: (tx: Tx, change: IdleChange) => Promise<void>,
  ): Promise<{ readonly accessKeys: number; readonly consoleLogons: number }>;
}

/** What one run of the idle-credentials job disabled in one account. */
export interface IdleChange {
  readonly accountId: string;
  readonly kind: 'AccessKey' | 'ConsoleLogon';
  /** AccessKey: the keys (with their users); ConsoleLogon: the users whose logon was disabled. */
  readonly items: readonly { readonly userId: string; readonly accessKeyId?: string }[];
  readonly maxIdleDays: number;
}

export interface AccountsDomain {
  /**
   * Creates an account with a random unique 16-digit id and the root password (scrypt).
   * Throws InvalidParameter.AccountAlias.Format / .Length, EntityAlreadyExists.AccountAlias.
   * The root password must be 8..128 characters (InvalidParameter.Password.TooWeak).
   */
  create(input: { readonly alias?: string; readonly rootPassword: string }): Promise<CreatedAccount>;
  /** A new AccessKey of the root. Throws InvalidParameter (unknown account), LimitExceeded.User.AccessKey (2 root keys). */
  createRootAccessKey(accountId: string): Promise<{ accessKeyId: string; accessKeySecret: string }>;
  /** Every account, oldest first. */
  list(): Promise<readonly Account[]>;
  /** undefined for an unknown account. */
  get(accountId: string): Promise<Account | undefined>;
  /** The account whose alias (case-insensitive) or default domain is given; for logins. */
  findByAliasOrId(aliasOrId: string): Promise<Account | undefined>;
  /** Constant-time scrypt check; false for an unknown account. */
  verifyRootPassword(accountId: string, password: string): Promise<boolean>;
  /**
   * A console password try of the root, counted like a RAM user's (MaxLoginAttemps failures
   * within an hour lock it for an hour; a success resets the count). Locked and unknown
   * accounts cost one hash like a real check. Never throws for a wrong password.
   */
  attemptRootPassword(
    accountId: string,
    password: string,
    at?: Date,
  ): Promise<'Right' | 'WrongPassword' | 'Locked'>;
  /** Whether the root's logon is locked now. */
  rootLocked(accountId: string, at?: Date): Promise<boolean>;
  /** Clears the root's failure count and lock-out (`rampart admin unlock-root`); true when it was locked. */
  unlockRoot(accountId: string): Promise<boolean>;
  /**
   * Replaces the root password as an operator does (no old password): the account's password
   * policy (InvalidParameter.Password.TooWeak listing every unmet rule; 8..128 characters at
   * least) and PasswordReusePrevention (InvalidParameter.Password.ReusePrevention). Clears a lock-out.
   */
  setRootPassword(accountId: string, password: string): Promise<void>;
  /**
   * The root changes its own password: the old one is counted like a logon try
   * (InvalidParameter.OldPassword.Incorrect; Throttling.User while locked), then the policy and
   * reuse rules with the NewPassword codes.
   */
  changeRootPassword(accountId: string, oldPassword: string, newPassword: string): Promise<void>;
  /** The alias, or '' when none. */
  getAlias(accountId: string): Promise<string>;
  /**
   * SetAccountAlias: 3..32 lowercase letters, digits, single hyphens, not at either end.
   * Throws InvalidParameter.AccountAlias.Length / .Format, EntityAlreadyExists.AccountAlias
   * (taken by another account of this deployment).
   */
  setAlias(accountId: string, alias: string): Promise<void>;
  /** ClearAccountAlias. Idempotent. */
  clearAlias(accountId: string): Promise<void>;
  /** The quotas in force for the account (deployment defaults with per-account overrides). */
  getQuotas(accountId: string): Promise<Quotas>;
  /** Sets (or, with undefined values, removes) per-account quota overrides. */
  setQuotas(accountId: string, overrides: Partial<Quotas>): Promise<Quotas>;
  /** The current permissions version of the account (see Services.policies.permissionsVersion). */
  permissionsVersion(accountId: string): Promise<number>;
}

export interface UsersDomain {
  /**
   * CreateUser. Throws EntityAlreadyExists.User, LimitExceeded.User,
   * InvalidParameter.UserName.* / DisplayName.* / Email.Format / MobilePhone.Format / Comments.Length.
   */
  create(accountId: string, input: CreateUserInput): Promise<User>;
  /** GetUser. Throws EntityNotExist.User. */
  get(accountId: string, userName: string): Promise<User>;
  /** By id (IMS GetUser by UserId); undefined when unknown. */
  findById(accountId: string, userId: string): Promise<User | undefined>;
  /** By `name@<default domain>` (IMS); undefined when unknown or the domain is not the account's. */
  findByPrincipalName(accountId: string, userPrincipalName: string): Promise<User | undefined>;
  /**
   * UpdateUser. A rename keeps id, keys, groups, policies and MFA.
   * Throws EntityNotExist.User, EntityAlreadyExists.User (new name taken), InvalidParameter.NewUserName.* ...
   */
  update(accountId: string, userName: string, input: UpdateUserInput): Promise<User>;
  /**
   * DeleteUser. Throws EntityNotExist.User, DeleteConflict.User.AccessKey, .LoginProfile,
   * .MFADevice, .Group, .Policy (checked in that order). Bumps the permissions version.
   */
  delete(accountId: string, userName: string): Promise<void>;
  /** ListUsers, ordered by name ignoring case. */
  list(accountId: string, page?: PageRequest): Promise<Page<User>>;
  /** Records a successful console login (LastLoginDate). */
  recordLogin(accountId: string, userName: string, at?: Date): Promise<void>;
}

export interface LoginProfilesDomain {
  /**
   * CreateLoginProfile. Throws EntityNotExist.User, EntityAlreadyExists.User.LoginProfile,
   * InvalidParameter.Password.TooWeak (password policy).
   */
  create(accountId: string, userName: string, input: CreateLoginProfileInput): Promise<LoginProfile>;
  /** GetLoginProfile. Throws EntityNotExist.User, EntityNotExist.User.LoginProfile. */
  get(accountId: string, userName: string): Promise<LoginProfile>;
  /**
   * UpdateLoginProfile. Throws EntityNotExist.User, EntityNotExist.User.LoginProfile,
   * InvalidParameter.Password.TooWeak.
   */
  update(accountId: string, userName: string, input: UpdateLoginProfileInput): Promise<LoginProfile>;
  /** DeleteLoginProfile. Throws EntityNotExist.User, EntityNotExist.User.LoginProfile. */
  delete(accountId: string, userName: string): Promise<void>;
  /**
   * ChangePassword by the user itself. Throws EntityNotExist.User, EntityNotExist.User.LoginProfile,
   * InvalidParameter.OldPassword.Incorrect, InvalidParameter.NewPassword.TooWeak,
   * InvalidParameter.NewPassword.ReusePrevention, Throttling.User (the profile is locked).
   * Clears PasswordResetRequired. A wrong OldPassword counts against MaxLoginAttemps exactly
   * like a failed logon (one count, one lock: see verifyPassword); a right one resets the count.
   */
  changePassword(
    accountId: string,
    userName: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<void>;
  /**
   * The password change a logon asks for (PasswordResetRequired, or MaxPasswordAge passed):
   * the password was just checked, so no old password. Same rules as ChangePassword (policy,
   * every unmet rule listed; PasswordReusePrevention); clears PasswordResetRequired. Only for
   * the password the step was issued under (`stamp`, PasswordCheck's passwordStamp) on an
   * Active profile. Answers the new password's stamp. Throws
   * InvalidParameter.NewPassword.TooWeak / .ReusePrevention, or InvalidStepToken when the user
   * or its profile is gone, disabled, or its password changed since the step was issued.
   */
  changePasswordAtLogon(
    accountId: string,
    userId: string,
    newPassword: string,
    stamp: string,
  ): Promise<string>;
  /**
   * Checks a console password, counting failures against the password policy's MaxLoginAttemps
   * within an hour (locked for one hour once reached; a success resets the count). The try is
   * counted before the password is hashed, in one atomic update, so parallel guesses never test
   * more than MaxLoginAttemps passwords; a locked profile is refused without hashing ('Locked',
   * which an API answers Throttling.User like ChangePassword). Never throws for a wrong password.
   */
  verifyPassword(accountId: string, userName: string, password: string, at?: Date): Promise<PasswordCheck>;
}

export interface AccessKeysDomain {
  /**
   * CreateAccessKey for a RAM user. Throws EntityNotExist.User, LimitExceeded.User.AccessKey.
   * The secret is sealed at rest and returned only here. Bumps nothing (a new key grants nothing new).
   */
  create(accountId: string, userName: string): Promise<CreatedAccessKey>;
  /**
   * UpdateAccessKey (Status Active | Inactive). Throws EntityNotExist.User,
   * EntityNotExist.User.AccessKey. Bumps the permissions version.
   */
  updateStatus(
    accountId: string,
    userName: string,
    accessKeyId: string,
    status: 'Active' | 'Inactive',
  ): Promise<void>;
  /** DeleteAccessKey. Throws EntityNotExist.User, EntityNotExist.User.AccessKey. Bumps the permissions version. */
  delete(accountId: string, userName: string, accessKeyId: string): Promise<void>;
  /** ListAccessKeys (no secrets), oldest first. Throws EntityNotExist.User. */
  list(accountId: string, userName: string): Promise<readonly AccessKey[]>;
  /** GetAccessKeyLastUsed. Throws EntityNotExist.User, EntityNotExist.User.AccessKey. */
  getLastUsed(accountId: string, userName: string, accessKeyId: string): Promise<AccessKeyLastUsed>;
  /** GetAccessKeyLastUsed for a root key. Throws EntityNotExist.User.AccessKey for a key the account's root does not own. */
  getRootLastUsed(accountId: string, accessKeyId: string): Promise<AccessKeyLastUsed>;
  /** Root keys of the account (no secrets). */
  listRoot(accountId: string): Promise<readonly AccessKey[]>;
  /** Updates a root key's status. Throws InvalidParameter for an unknown key (no catalogue code for it). */
  updateRootStatus(accountId: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void>;
  /** Deletes a root key. Throws InvalidParameter for an unknown key. */
  deleteRoot(accountId: string, accessKeyId: string): Promise<void>;
  /**
   * Records that a key signed a request. Cheap: writes at most once a minute per key (a
   * process-local cache skips the rest, and then returns nothing to wait for). Unknown keys
   * are ignored. Never throws for them.
   */
  recordUse(accessKeyId: string, at?: Date): Promise<void> | undefined;
}

/**
 * A RAM user managing its own virtual MFA device under self-service: the security preference
 * (AllowUserToManageMFADevices) allowed the request, no policy did. Self-service covers one
 * device for the user itself:
 * - CreateVirtualMFADevice records the device as the user's own (`mfa_devices.owner_user_id`),
 *   and is refused with EntityAlreadyExists.User.MFADevice while the user has a device of its
 *   own: one it created this way that is still unbound, or one bound to it.
 * - DeleteVirtualMFADevice deletes only a device recorded as the user's own (any other:
 *   NoPermission, as without the preference); a bound one still needs UnbindMFADevice first.
 * Callers allowed by a policy (and the root) pass no `selfService` and are not limited.
 */
export interface MfaSelfService {
  /** The user name of the RAM user acting for itself under self-service. */
  readonly selfService?: string;
}

export interface MfaDomain {
  /**
   * CreateVirtualMFADevice. Throws EntityAlreadyExists.VirtualMFADevice, LimitExceeded.VirtualMFADevice,
   * InvalidParameter.VirtualMFADeviceName.*. The seed is sealed at rest and returned only here.
   * With `selfService`, see MfaSelfService.
   */
  createVirtual(
    accountId: string,
    virtualMFADeviceName: string,
    opts?: MfaSelfService,
  ): Promise<CreatedVirtualMFADevice>;
  /**
   * BindMFADevice: code1 must be valid at some step t and code2 at t+1 (window: one step
   * either side of now). Throws EntityNotExist.User, EntityNotExist.VirtualMFADevice,
   * EntityAlreadyExists.User.MFADevice (the user has one), EntityAlreadyExists.VirtualMFADevice.User
   * (the device is bound), InvalidParameter.AuthenticationCode.Format, CheckAuthenticationCodeFail.
   */
  bind(
    accountId: string,
    userName: string,
    serialNumber: string,
    authenticationCode1: string,
    authenticationCode2: string,
    at?: Date,
  ): Promise<void>;
  /** UnbindMFADevice: returns the serial number. Throws EntityNotExist.User, EntityNotExist.User.MFADevice. */
  unbind(accountId: string, userName: string): Promise<{ serialNumber: string }>;
  /**
   * DisableVirtualMFA: unbinds the user's device and deletes it, both or neither. Throws
   * EntityNotExist.User, EntityNotExist.User.MFADevice, DeleteConflict.VirtualMFADevice.User.
   */
  disableVirtual(accountId: string, userName: string): Promise<void>;
  /**
   * DeleteVirtualMFADevice. Throws EntityNotExist.VirtualMFADevice, DeleteConflict.VirtualMFADevice.User.
   * With `selfService`, see MfaSelfService.
   */
  deleteVirtual(accountId: string, serialNumber: string, opts?: MfaSelfService): Promise<void>;
  /** ListVirtualMFADevices, with the bound user; ordered by name ignoring case. */
  listVirtual(accountId: string): Promise<readonly VirtualMFADevice[]>;
  /** GetUserMFAInfo. Throws EntityNotExist.User, EntityNotExist.User.MFADevice. */
  getUserMFAInfo(accountId: string, userName: string): Promise<UserMFAInfo>;
  /**
   * Checks a TOTP code of the user's bound device (login, MFA-present requests). A code whose
   * step was already accepted is refused (no replay). False when no device is bound.
   */
  verifyUserCode(accountId: string, userName: string, code: string, at?: Date): Promise<boolean>;
  /** verifyUserCode for the root's bound device. */
  verifyRootCode(accountId: string, code: string, at?: Date): Promise<boolean>;
  /** Whether the root or the RAM user has a virtual MFA device bound. */
  hasMfa(accountId: string, principal: MfaPrincipal): Promise<boolean>;
  /**
   * A new virtual MFA device for binding at logon, named `<user name>-<8 random>` (`root-...`
   * for the root). A RAM user's device is its own (self-service rules), and an unbound device
   * it created for itself earlier is deleted first (an abandoned logon). `beforeCreate` is told
   * the new device's name before anything changes, and may refuse by throwing.
   */
  createForLogon(
    accountId: string,
    principal: MfaLogonPrincipal,
    beforeCreate?: (deviceName: string) => Promise<void>,
  ): Promise<CreatedVirtualMFADevice>;
  /**
   * BindMFADevice for the root (two consecutive codes, as bind). Throws
   * EntityNotExist.VirtualMFADevice, EntityAlreadyExists.VirtualMFADevice.User (bound),
   * EntityAlreadyExists.User.MFADevice (the root has one), InvalidParameter.AuthenticationCode.Format,
   * CheckAuthenticationCodeFail.
   */
  bindRoot(accountId: string, serialNumber: string, code1: string, code2: string, at?: Date): Promise<void>;
  /**
   * A person unbinds its own virtual MFA device, proving it holds it with a current code (used
   * once): the device is unbound and deleted. Throws EntityNotExist.User.MFADevice (none bound),
   * InvalidParameter.AuthenticationCode.Format, CheckAuthenticationCodeFail.
   */
  unbindOwn(
    accountId: string,
    principal: MfaPrincipal,
    code: string,
    at?: Date,
  ): Promise<{ serialNumber: string }>;
}

export type MfaPrincipal = { readonly kind: 'root' } | { readonly kind: 'user'; readonly userId: string };
export type MfaLogonPrincipal =
  { readonly kind: 'root' } | { readonly kind: 'user'; readonly userName: string };

export interface GroupsDomain {
  /** CreateGroup. Throws EntityAlreadyExists.Group, LimitExceeded.Group, InvalidParameter.GroupName.* / Comments.Length. */
  create(accountId: string, input: CreateGroupInput): Promise<Group>;
  /** GetGroup. Throws EntityNotExist.Group. */
  get(accountId: string, groupName: string): Promise<Group>;
  /** UpdateGroup (rename keeps members and policies). Throws EntityNotExist.Group, EntityAlreadyExists.Group. */
  update(accountId: string, groupName: string, input: UpdateGroupInput): Promise<Group>;
  /** DeleteGroup. Throws EntityNotExist.Group, DeleteConflict.Group.User, DeleteConflict.Group.Policy. */
  delete(accountId: string, groupName: string): Promise<void>;
  /** ListGroups (maxItems 1..100). */
  list(accountId: string, page?: PageRequest): Promise<Page<Group>>;
  /**
   * AddUserToGroup. Throws EntityNotExist.Group, EntityNotExist.User, EntityAlreadyExists.User.Group,
   * LimitExceeded.User.Group. Bumps the permissions version.
   */
  addUser(accountId: string, groupName: string, userName: string): Promise<void>;
  /** RemoveUserFromGroup. Throws EntityNotExist.Group, EntityNotExist.User, EntityNotExist.User.Group. Bumps. */
  removeUser(accountId: string, groupName: string, userName: string): Promise<void>;
  /** ListGroupsForUser, ordered by group name. Throws EntityNotExist.User. */
  listForUser(accountId: string, userName: string): Promise<readonly GroupOfUser[]>;
  /** ListUsersForGroup (maxItems 1..1000). Throws EntityNotExist.Group. */
  listUsers(accountId: string, groupName: string, page?: PageRequest): Promise<Page<GroupMember>>;
}

export interface RolesDomain {
  /**
   * CreateRole. The trust policy is validated (MalformedPolicyDocument,
   * InvalidParameter.AssumeRolePolicyDocument.Length). Throws EntityAlreadyExists.Role,
   * LimitExceeded.Role, InvalidParameter.RoleName.*, InvalidParameter.Description.Length,
   * InvalidParameter (MaxSessionDuration outside 3600..43200).
   */
  create(accountId: string, input: CreateRoleInput): Promise<Role>;
  /** GetRole. Throws EntityNotExist.Role. */
  get(accountId: string, roleName: string): Promise<Role>;
  /** By id; undefined when unknown. */
  findById(accountId: string, roleId: string): Promise<Role | undefined>;
  /**
   * UpdateRole. Throws EntityNotExist.Role, MalformedPolicyDocument,
   * InvalidParameter.NewAssumeRolePolicyDocument.Length, InvalidParameter (duration).
   */
  update(accountId: string, roleName: string, input: UpdateRoleInput): Promise<Role>;
  /** DeleteRole. Throws EntityNotExist.Role, DeleteConflict.Role.Policy. Bumps the permissions version. */
  delete(accountId: string, roleName: string): Promise<void>;
  /** ListRoles, with tags; optional tag filter. */
  list(accountId: string, input?: ListRolesInput): Promise<Page<Role>>;
}

export interface PoliciesDomain {
  /**
   * CreatePolicy (Custom, version v1 default). Throws EntityAlreadyExists.Policy (also when a
   * System policy has the name), LimitExceeded.Policy, InvalidParameter.PolicyName.*,
   * InvalidParameter.Description.Length, MalformedPolicyDocument, InvalidParameter.PolicyDocument.Length.
   */
  create(accountId: string, input: CreatePolicyInput): Promise<Policy>;
  /** GetPolicy with its default version. Throws EntityNotExist.Policy, InvalidParameter.PolicyType. */
  get(accountId: string, policyType: PolicyType, policyName: string): Promise<PolicyWithDefaultVersion>;
  /** UpdatePolicyDescription (Custom). Throws EntityNotExist.Policy, InvalidParameter.Description.Length. */
  updateDescription(accountId: string, policyName: string, newDescription: string): Promise<Policy>;
  /**
   * DeletePolicy (Custom). Without cascade: DeleteConflict.Policy.User / .Group / .Role while
   * attached, DeleteConflict.Policy.Version while it has non-default versions. With cascade:
   * detaches it everywhere and deletes every version. Throws EntityNotExist.Policy. Bumps.
   */
  delete(accountId: string, policyName: string, opts?: { cascadingDelete?: boolean }): Promise<void>;
  /** ListPolicies: System then Custom (or one type), by name; tag filter applies to Custom. */
  list(accountId: string, input?: ListPoliciesInput): Promise<Page<Policy>>;
  /**
   * CreatePolicyVersion. Throws EntityNotExist.Policy, LimitExceeded.Policy.Version (5 versions
   * and no rotation), MalformedPolicyDocument, InvalidParameter.PolicyDocument.Length.
   * With rotation the oldest non-default version is removed. Bumps when setAsDefault.
   */
  createVersion(
    accountId: string,
    policyName: string,
    input: CreatePolicyVersionInput,
  ): Promise<PolicyVersion>;
  /** GetPolicyVersion. Throws EntityNotExist.Policy, EntityNotExist.Policy.Version, InvalidParameter.VersionId.Format. */
  getVersion(
    accountId: string,
    policyType: PolicyType,
    policyName: string,
    versionId: string,
  ): Promise<PolicyVersion>;
  /** ListPolicyVersions, newest first. Throws EntityNotExist.Policy. */
  listVersions(
    accountId: string,
    policyType: PolicyType,
    policyName: string,
  ): Promise<readonly PolicyVersion[]>;
  /** SetDefaultPolicyVersion. Throws EntityNotExist.Policy, EntityNotExist.Policy.Version. Bumps. */
  setDefaultVersion(accountId: string, policyName: string, versionId: string): Promise<void>;
  /**
   * DeletePolicyVersion. Throws EntityNotExist.Policy, EntityNotExist.Policy.Version,
   * DeleteConflict.Policy.Version.Default. Bumps.
   */
  deleteVersion(accountId: string, policyName: string, versionId: string): Promise<void>;
}

export interface AttachmentsDomain {
  /**
   * AttachPolicyToUser / Group / Role. Throws EntityNotExist.User / .Group / .Role,
   * EntityNotExist.Policy, InvalidParameter.PolicyType, EntityAlreadyExists.User.Policy /
   * .Group.Policy / .Role.Policy, LimitExceeded.User.Policy / .Group.Policy / .Role.Policy. Bumps.
   */
  attach(
    accountId: string,
    target: AttachmentTarget,
    policyType: PolicyType,
    policyName: string,
  ): Promise<void>;
  /**
   * DetachPolicyFromUser / Group / Role. Throws EntityNotExist.User / .Group / .Role,
   * EntityNotExist.Policy, EntityNotExist.User.Policy / .Group.Policy / .Role.Policy. Bumps.
   */
  detach(
    accountId: string,
    target: AttachmentTarget,
    policyType: PolicyType,
    policyName: string,
  ): Promise<void>;
  /** ListPoliciesForUser / Group / Role, by attach date. Throws EntityNotExist of the target. */
  listForTarget(accountId: string, target: AttachmentTarget): Promise<readonly AttachedPolicy[]>;
  /** ListEntitiesForPolicy. Throws EntityNotExist.Policy, InvalidParameter.PolicyType. */
  listEntities(accountId: string, policyType: PolicyType, policyName: string): Promise<PolicyEntities>;
}

export interface PasswordPolicyDomain {
  /** GetPasswordPolicy (defaults until set). */
  get(accountId: string): Promise<PasswordPolicy>;
  /**
   * SetPasswordPolicy: fields left undefined keep their value. Throws
   * InvalidParameter.MinimumPasswordLength.Range and InvalidParameter for the other ranges.
   */
  set(accountId: string, input: Partial<PasswordPolicy>): Promise<PasswordPolicy>;
}

export interface SecurityPreferenceDomain {
  /** GetSecurityPreference (defaults until set). */
  get(accountId: string): Promise<SecurityPreference>;
  /**
   * SetSecurityPreference: fields left undefined keep their value. Throws InvalidParameter
   * (LoginSessionDuration outside 1..24, LoginNetworkMasks with a bad CIDR, more than 40 masks
   * or longer than 512 characters, unknown enum values, idle days not in 90/180/365/730).
   */
  set(accountId: string, input: SetSecurityPreferenceInput): Promise<SecurityPreference>;
  /**
   * Whether a console (password or SSO) login from this address is allowed by
   * LoginNetworkMasks: true when no masks are set or one contains it; false for a malformed address.
   */
  allowsLoginFrom(accountId: string, sourceIp: string): Promise<boolean>;
}

export interface TagsDomain {
  /**
   * TagResources: adds or overwrites tags. Throws EntityNotExist.Role / EntityNotExist.Policy,
   * InvalidParameter (bad type, key 1..128 / value 0..128 characters, `acs:` or `aliyun`
   * key prefix), LimitExceeded.Tag (more than 20 tags on a resource; not in the catalogue: 409).
   */
  tag(
    accountId: string,
    resourceType: TaggableResourceType,
    resourceNames: readonly string[],
    tags: readonly Tag[],
  ): Promise<void>;
  /** UntagResources: removes the keys, or every tag with all=true. Throws EntityNotExist.Role / .Policy. */
  untag(
    accountId: string,
    resourceType: TaggableResourceType,
    resourceNames: readonly string[],
    opts: { readonly tagKeys?: readonly string[]; readonly all?: boolean },
  ): Promise<void>;
  /** ListTagResources with NextToken paging. */
  list(accountId: string, input: ListTagResourcesInput): Promise<TagPage>;
}
