/**
 * Domain entities in the wire shapes the SDK models read (field names and types from the
 * RAM 2015-05-01 response models). Optional text the service always shows (Comments,
 * Description, DisplayName, ...) is written as '' when unset; dates that do not exist yet
 * (LastLoginDate, ActivateDate, LastUsedDate) are left out. Lists are arrays inside their
 * wrapper objects: `{ Users: { User: [...] } }`.
 */
import type {
  AccessKey,
  AttachedPolicy,
  CreatedAccessKey,
  CreatedVirtualMFADevice,
  Group,
  GroupMember,
  GroupOfUser,
  LoginProfile,
  Page,
  PasswordPolicy,
  Policy,
  PolicyEntities,
  PolicyVersion,
  Role,
  SecurityPreference,
  Tag,
  User,
  VirtualMFADevice,
} from '../../domain/index.js';

const text = (v: string | undefined): string => v ?? '';

export const createdUserView = (u: User) => ({
  UserId: u.userId,
  UserName: u.userName,
  DisplayName: text(u.displayName),
  Email: text(u.email),
  MobilePhone: text(u.mobilePhone),
  Comments: text(u.comments),
  CreateDate: u.createDate,
});

/** UpdateUser, ListUsers. */
export const userView = (u: User) => ({ ...createdUserView(u), UpdateDate: u.updateDate });

/** GetUser. */
export const userDetailView = (u: User) => ({
  ...userView(u),
  ...(u.lastLoginDate !== undefined ? { LastLoginDate: u.lastLoginDate } : {}),
});

/** ListUsersForGroup. */
export const memberView = (m: GroupMember) => ({
  UserName: m.userName,
  DisplayName: text(m.displayName),
  JoinDate: m.joinDate,
});

export const createdAccessKeyView = (k: CreatedAccessKey) => ({
  AccessKeyId: k.accessKeyId,
  AccessKeySecret: k.accessKeySecret,
  Status: k.status,
  CreateDate: k.createDate,
});

export const accessKeyView = (k: AccessKey) => ({
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: k.createDate,
});

export const loginProfileView = (l: LoginProfile) => ({
  UserName: l.userName,
  PasswordResetRequired: l.passwordResetRequired,
  MFABindRequired: l.mfaBindRequired,
  CreateDate: l.createDate,
});

export const createdVirtualMFADeviceView = (d: CreatedVirtualMFADevice) => ({
  SerialNumber: d.serialNumber,
  Base32StringSeed: d.base32StringSeed,
  QRCodePNG: d.qrCodePng,
});

export const virtualMFADeviceView = (d: VirtualMFADevice) => ({
  SerialNumber: d.serialNumber,
  ...(d.activateDate !== undefined ? { ActivateDate: d.activateDate } : {}),
  ...(d.user !== undefined
    ? { User: { UserId: d.user.userId, UserName: d.user.userName, DisplayName: text(d.user.displayName) } }
    : {}),
});

export const createdGroupView = (g: Group) => ({
  GroupId: g.groupId,
  GroupName: g.groupName,
  Comments: text(g.comments),
  CreateDate: g.createDate,
});

/** GetGroup, UpdateGroup, ListGroups. */
export const groupView = (g: Group) => ({ ...createdGroupView(g), UpdateDate: g.updateDate });

/** ListGroupsForUser. */
export const groupOfUserView = (g: GroupOfUser) => ({
  GroupId: g.groupId,
  GroupName: g.groupName,
  Comments: text(g.comments),
  JoinDate: g.joinDate,
});

export const tagsView = (tags: readonly Tag[]) => ({
  Tag: tags.map((t) => ({ TagKey: t.tagKey, TagValue: t.tagValue })),
});

export const createdRoleView = (r: Role) => ({
  RoleId: r.roleId,
  RoleName: r.roleName,
  Arn: r.arn,
  Description: text(r.description),
  AssumeRolePolicyDocument: r.assumeRolePolicyDocument,
  MaxSessionDuration: r.maxSessionDuration,
  CreateDate: r.createDate,
});

/** GetRole, UpdateRole. */
export const roleView = (r: Role) => ({ ...createdRoleView(r), UpdateDate: r.updateDate });

/** ListRoles: no trust policy, with tags. */
export const roleListItemView = (r: Role) => ({
  RoleId: r.roleId,
  RoleName: r.roleName,
  Arn: r.arn,
  Description: text(r.description),
  MaxSessionDuration: r.maxSessionDuration,
  CreateDate: r.createDate,
  UpdateDate: r.updateDate,
  Tags: tagsView(r.tags),
});

export const createdPolicyView = (p: Policy) => ({
  PolicyName: p.policyName,
  PolicyType: p.policyType,
  Description: text(p.description),
  DefaultVersion: p.defaultVersion,
  CreateDate: p.createDate,
});

/** UpdatePolicyDescription. */
export const policyView = (p: Policy) => ({ ...createdPolicyView(p), UpdateDate: p.updateDate });

/** GetPolicy: with the attachment count and the default document. */
export const policyDetailView = (p: Policy, defaultDocument: string) => ({
  ...policyView(p),
  AttachmentCount: p.attachmentCount,
  PolicyDocument: defaultDocument,
});

/** ListPolicies. */
export const policyListItemView = (p: Policy) => ({
  ...policyView(p),
  AttachmentCount: p.attachmentCount,
  Tags: tagsView(p.tags),
});

export const policyVersionView = (v: PolicyVersion) => ({
  VersionId: v.versionId,
  IsDefaultVersion: v.isDefaultVersion,
  PolicyDocument: v.policyDocument,
  CreateDate: v.createDate,
});

/** ListPoliciesForUser / Group / Role. */
export const attachedPolicyView = (p: AttachedPolicy) => ({
  PolicyName: p.policyName,
  PolicyType: p.policyType,
  Description: text(p.description),
  DefaultVersion: p.defaultVersion,
  AttachDate: p.attachDate,
});

export const policyEntitiesView = (e: PolicyEntities) => ({
  Users: {
    User: e.users.map((u) => ({
      UserId: u.userId,
      UserName: u.userName,
      DisplayName: text(u.displayName),
      AttachDate: u.attachDate,
    })),
  },
  Groups: {
    Group: e.groups.map((g) => ({
      GroupName: g.groupName,
      Comments: text(g.comments),
      AttachDate: g.attachDate,
    })),
  },
  Roles: {
    Role: e.roles.map((r) => ({
      RoleId: r.roleId,
      RoleName: r.roleName,
      Arn: r.arn,
      Description: text(r.description),
      AttachDate: r.attachDate,
    })),
  },
});

export const passwordPolicyView = (p: PasswordPolicy) => ({
  MinimumPasswordLength: p.minimumPasswordLength,
  RequireLowercaseCharacters: p.requireLowercaseCharacters,
  RequireUppercaseCharacters: p.requireUppercaseCharacters,
  RequireNumbers: p.requireNumbers,
  RequireSymbols: p.requireSymbols,
  HardExpiry: p.hardExpiry,
  MaxLoginAttemps: p.maxLoginAttemps,
  PasswordReusePrevention: p.passwordReusePrevention,
  MaxPasswordAge: p.maxPasswordAge,
});

export const securityPreferenceView = (s: SecurityPreference) => ({
  LoginProfilePreference: {
    EnableSaveMFATicket: s.enableSaveMFATicket,
    AllowUserToChangePassword: s.allowUserToChangePassword,
    LoginSessionDuration: s.loginSessionDuration,
    LoginNetworkMasks: s.loginNetworkMasks,
  },
  AccessKeyPreference: { AllowUserToManageAccessKeys: s.allowUserToManageAccessKeys },
  MFAPreference: { AllowUserToManageMFADevices: s.allowUserToManageMFADevices },
  PublicKeyPreference: { AllowUserToManagePublicKeys: s.allowUserToManagePublicKeys },
});

/** A list page: the wrapped items, IsTruncated, and Marker when there is more. */
export function pageView<W extends string, I extends string, E, T>(
  wrapper: W,
  item: I,
  page: Page<E>,
  view: (x: E) => T,
): { [K in W]: { [J in I]: T[] } } & { IsTruncated: boolean; Marker?: string } {
  const body: Record<string, unknown> = {
    [wrapper]: { [item]: page.items.map(view) },
    IsTruncated: page.isTruncated,
  };
  if (page.isTruncated && page.marker !== undefined) body.Marker = page.marker;
  return body as { [K in W]: { [J in I]: T[] } } & { IsTruncated: boolean; Marker?: string };
}
