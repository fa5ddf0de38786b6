/** Domain entities in the wire shapes of ResourceManager 2020-03-31. */
import type { ResourceDirectory, Folder, MemberAccount } from '../../domain/resource-directory.js';
import type {
  DelegatedAdministrator,
  DelegatedService,
  Handshake,
} from '../../domain/resource-directory-invitations.js';
import type {
  ControlPolicy,
  ControlPolicyAttachment,
  TargetAttachment,
} from '../../domain/control-policies.js';

export function directoryView(d: ResourceDirectory) {
  return {
    ResourceDirectoryId: d.directoryId,
    RootFolderId: d.rootFolderId,
    MasterAccountId: d.masterAccountId,
    MasterAccountName: d.masterAccountName,
    CreateTime: d.createTime,
  };
}

export function fullDirectoryView(d: ResourceDirectory) {
  return {
    ...directoryView(d),
    ControlPolicyStatus: d.controlPolicyStatus,
    MemberDeletionStatus: 'Disabled',
  };
}

export function folderView(f: Folder) {
  return {
    FolderId: f.folderId,
    FolderName: f.folderName,
    ParentFolderId: f.parentFolderId ?? '',
    CreateTime: f.createTime,
  };
}

export function folderWithPathView(f: Folder) {
  return { ...folderView(f), ResourceDirectoryPath: f.path };
}

export function folderListView(f: Folder) {
  return { FolderId: f.folderId, FolderName: f.folderName, CreateTime: f.createTime };
}

export function accountView(a: MemberAccount) {
  return {
    AccountId: a.accountId,
    AccountName: a.accountName,
    DisplayName: a.displayName,
    FolderId: a.folderId,
    JoinMethod: a.joinMethod,
    JoinTime: a.joinTime,
    ModifyTime: a.modifyTime,
    ResourceDirectoryId: a.directoryId,
    Status: a.status,
    Type: a.type,
  };
}

export function accountWithPathView(a: MemberAccount) {
  return { ...accountView(a), ResourceDirectoryPath: a.path };
}

export function accountListView(a: MemberAccount, withPath: boolean) {
  return {
    AccountId: a.accountId,
    DisplayName: a.displayName,
    FolderId: a.folderId,
    JoinMethod: a.joinMethod,
    JoinTime: a.joinTime,
    ModifyTime: a.modifyTime,
    ResourceDirectoryId: a.directoryId,
    ...(withPath ? { ResourceDirectoryPath: a.path } : {}),
    Status: a.status,
    // Member accounts carry no tags here.
    Tags: { Tag: [] },
    Type: a.type,
  };
}

export function controlPolicyView(c: ControlPolicy) {
  return {
    PolicyId: c.policyId,
    PolicyName: c.policyName,
    PolicyType: c.policyType,
    Description: c.description,
    EffectScope: c.effectScope,
    // A string on the wire.
    AttachmentCount: String(c.attachmentCount),
    CreateDate: c.createDate,
    UpdateDate: c.updateDate,
  };
}

export function controlPolicyAttachmentView(a: ControlPolicyAttachment) {
  return {
    PolicyId: a.policyId,
    PolicyName: a.policyName,
    PolicyType: a.policyType,
    Description: a.description,
    EffectScope: a.effectScope,
    AttachDate: a.attachDate,
  };
}

export function targetAttachmentView(t: TargetAttachment) {
  return {
    TargetId: t.targetId,
    TargetName: t.targetName,
    TargetType: t.targetType,
    AttachDate: t.attachDate,
  };
}

export function handshakeView(h: Handshake) {
  return {
    CreateTime: h.createTime,
    ExpireTime: h.expireTime,
    HandshakeId: h.handshakeId,
    MasterAccountId: h.masterAccountId,
    MasterAccountName: h.masterAccountName,
    ModifyTime: h.modifyTime,
    Note: h.note,
    ResourceDirectoryId: h.directoryId,
    Status: h.status,
    TargetEntity: h.targetEntity,
    TargetType: h.targetType,
  };
}

/** GetHandshake also names both accounts (their alias, or their id). */
export function handshakeDetailView(h: Handshake) {
  return {
    ...handshakeView(h),
    InvitedAccountRealName: h.invitedAccountRealName,
    MasterAccountRealName: h.masterAccountRealName,
  };
}

export function delegatedAdministratorView(a: DelegatedAdministrator) {
  return {
    AccountId: a.accountId,
    DelegationEnabledTime: a.delegationEnabledTime,
    DisplayName: a.displayName,
    JoinMethod: a.joinMethod,
    ServicePrincipal: a.servicePrincipal,
  };
}

export function delegatedServiceView(s: DelegatedService) {
  return {
    DelegationEnabledTime: s.delegationEnabledTime,
    ServicePrincipal: s.servicePrincipal,
    Status: s.status,
  };
}
