/**
 * Domain entities in the wire shapes of the IMS 2019-08-15 response models
 * (@alicloud/ims20190815 `dist/models/*ResponseBody.d.ts`): users by UserPrincipalName, the
 * IMS password policy (HardExpire) and the grouped security preference. Lists are arrays
 * inside their wrapper objects, as in RAM.
 */
import type {
  AccessKey,
  Group,
  GroupMember,
  GroupOfUser,
  LoginProfile,
  PasswordPolicy,
  SecurityPreference,
  Tag,
  User,
  VirtualMFADevice,
} from '../../domain/index.js';
import type { OidcProvider, SamlProvider } from '../../domain/federation-providers.js';
import type { UserSsoSettings } from '../../domain/sso-settings.js';

const text = (v: string | undefined): string => v ?? '';

/** How a user came to be: every Rampart user is created through the API or the console. */
const PROVISION_TYPE = 'Manual';

export const tagsView = (tags: readonly Tag[]) => ({
  Tag: tags.map((t) => ({ TagKey: t.tagKey, TagValue: t.tagValue })),
});

const userBase = (u: User) => ({
  UserId: u.userId,
  UserPrincipalName: u.userPrincipalName,
  DisplayName: text(u.displayName),
  Email: text(u.email),
  MobilePhone: text(u.mobilePhone),
  Comments: text(u.comments),
  CreateDate: u.createDate,
  UpdateDate: u.updateDate,
  ...(u.lastLoginDate !== undefined ? { LastLoginDate: u.lastLoginDate } : {}),
  ProvisionType: PROVISION_TYPE,
});

/** CreateUser, ListUsers (with Status). */
export const userView = (u: User, tags: readonly Tag[]) => ({ ...userBase(u), Tags: tagsView(tags) });

/** GetUser: also the user name. */
export const userDetailView = (u: User, tags: readonly Tag[]) => ({
  ...userView(u, tags),
  UserName: u.userName,
});

/** UpdateUser: no tags. */
export const updatedUserView = (u: User) => userBase(u);

/** Rampart users have no frozen state: every user is Active. */
export const USER_STATUS = 'Active';

export const userListItemView = (u: User, tags: readonly Tag[]) => ({
  ...userView(u, tags),
  Status: USER_STATUS,
});

export const userBasicInfoView = (u: User) => ({
  UserId: u.userId,
  UserPrincipalName: u.userPrincipalName,
  DisplayName: text(u.displayName),
  Status: USER_STATUS,
});

export const memberView = (m: GroupMember) => ({
  UserId: m.userId,
  UserPrincipalName: m.userPrincipalName,
  DisplayName: text(m.displayName),
  JoinDate: m.joinDate,
});

export const accessKeyView = (k: AccessKey) => ({
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: k.createDate,
});

export const loginProfileView = (l: LoginProfile, upn: string) => ({
  UserPrincipalName: upn,
  Status: l.status,
  PasswordResetRequired: l.passwordResetRequired,
  MFABindRequired: l.mfaBindRequired,
  UpdateDate: l.updateDate,
});

/** Console logons of idle users are disabled by MaxIdleDaysForUsers: always on, as in the service. */
export const AUTO_DISABLE_LOGIN_STATUS = 'true';

export const groupView = (g: Group) => ({
  GroupId: g.groupId,
  GroupName: g.groupName,
  DisplayName: text(g.displayName),
  Comments: text(g.comments),
  CreateDate: g.createDate,
  UpdateDate: g.updateDate,
});

export const groupOfUserView = (g: GroupOfUser) => ({
  GroupId: g.groupId,
  GroupName: g.groupName,
  DisplayName: text(g.displayName),
  Comments: text(g.comments),
  JoinDate: g.joinDate,
});

export const virtualMFADeviceView = (d: VirtualMFADevice, domainName: string) => ({
  SerialNumber: d.serialNumber,
  ...(d.activateDate !== undefined ? { ActivateDate: d.activateDate } : {}),
  ...(d.user !== undefined
    ? {
        User: {
          UserId: d.user.userId,
          UserPrincipalName: `${d.user.userName}@${domainName}`,
          DisplayName: text(d.user.displayName),
        },
      }
    : {}),
});

export const passwordPolicyView = (p: PasswordPolicy) => ({
  MinimumPasswordLength: p.minimumPasswordLength,
  RequireLowercaseCharacters: p.requireLowercaseCharacters,
  RequireUppercaseCharacters: p.requireUppercaseCharacters,
  RequireNumbers: p.requireNumbers,
  RequireSymbols: p.requireSymbols,
  HardExpire: p.hardExpiry,
  MaxLoginAttemps: p.maxLoginAttemps,
  PasswordReusePrevention: p.passwordReusePrevention,
  MaxPasswordAge: p.maxPasswordAge,
  MinimumPasswordDifferentCharacter: p.minimumPasswordDifferentCharacter,
  PasswordNotContainUserName: p.passwordNotContainUserName,
});

/** The IMS grouping of the security preference (wider than RAM's). */
export const securityPreferenceView = (s: SecurityPreference) => ({
  LoginProfilePreference: {
    EnableSaveMFATicket: s.enableSaveMFATicket,
    AllowUserToChangePassword: s.allowUserToChangePassword,
    AllowUserToLoginWithPasskey: s.allowUserToLoginWithPasskey,
    LoginSessionDuration: s.loginSessionDuration,
    LoginNetworkMasks: s.loginNetworkMasks,
    MFAOperationForLogin: s.mfaOperationForLogin,
    OperationForRiskLogin: s.operationForRiskLogin,
  },
  AccessKeyPreference: { AllowUserToManageAccessKeys: s.allowUserToManageAccessKeys },
  MFAPreference: { AllowUserToManageMFADevices: s.allowUserToManageMFADevices },
  PersonalInfoPreference: { AllowUserToManagePersonalDingTalk: s.allowUserToManagePersonalDingTalk },
  VerificationPreference: { VerificationTypes: [...s.verificationTypes] },
  MaxIdleDays: {
    // 0: never (the setting is off).
    MaxIdleDaysForAccessKeys: s.maxIdleDaysForAccessKeys ?? 0,
    MaxIdleDaysForUsers: s.maxIdleDaysForUsers ?? 0,
  },
});

export const samlProviderView = (s: SamlProvider) => ({
  SAMLProviderName: s.samlProviderName,
  Arn: s.arn,
  Description: text(s.description),
  AuthnSignAlgo: text(s.authnSignAlgo),
  CreateDate: s.createDate,
  UpdateDate: s.updateDate,
});

/** GetSAMLProvider: with the metadata document. */
export const samlProviderDetailView = (s: SamlProvider) => ({
  ...samlProviderView(s),
  EncodedSAMLMetadataDocument: text(s.encodedSAMLMetadataDocument),
});

/** ListSAMLProviders: no metadata, no algorithm. */
export const samlProviderListItemView = (s: SamlProvider) => ({
  SAMLProviderName: s.samlProviderName,
  Arn: s.arn,
  Description: text(s.description),
  CreateDate: s.createDate,
  UpdateDate: s.updateDate,
});

export const oidcProviderView = (o: OidcProvider) => ({
  OIDCProviderName: o.oidcProviderName,
  Arn: o.arn,
  IssuerUrl: o.issuerUrl,
  Description: text(o.description),
  ClientIds: o.clientIds.join(','),
  Fingerprints: o.fingerprints.join(','),
  IssuanceLimitTime: o.issuanceLimitTime,
  CreateDate: o.createDate,
  UpdateDate: o.updateDate,
  GmtCreate: o.gmtCreate,
  GmtModified: o.gmtModified,
});

export const userSsoSettingsView = (s: UserSsoSettings) => ({
  MetadataDocument: s.metadataDocument,
  SsoEnabled: s.ssoEnabled,
  AuxiliaryDomain: s.auxiliaryDomain,
  SsoLoginWithDomain: s.ssoLoginWithDomain,
  AuthnSignAlgo: s.authnSignAlgo,
});

export { pageView } from '../ram/views.js';
