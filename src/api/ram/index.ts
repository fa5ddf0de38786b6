/** Every RAM 2015-05-01 action, one module per operation. */
import type { AnyActionDefinition } from '../registry.js';
import createAccessKey from './access-keys/create-access-key.js';
import deleteAccessKey from './access-keys/delete-access-key.js';
import getAccessKeyLastUsed from './access-keys/get-access-key-last-used.js';
import listAccessKeys from './access-keys/list-access-keys.js';
import updateAccessKey from './access-keys/update-access-key.js';
import clearAccountAlias from './account/clear-account-alias.js';
import getAccountAlias from './account/get-account-alias.js';
import getPasswordPolicy from './account/get-password-policy.js';
import getSecurityPreference from './account/get-security-preference.js';
import setAccountAlias from './account/set-account-alias.js';
import setPasswordPolicy from './account/set-password-policy.js';
import setSecurityPreference from './account/set-security-preference.js';
import attachPolicyToGroup from './attachments/attach-policy-to-group.js';
import attachPolicyToRole from './attachments/attach-policy-to-role.js';
import attachPolicyToUser from './attachments/attach-policy-to-user.js';
import detachPolicyFromGroup from './attachments/detach-policy-from-group.js';
import detachPolicyFromRole from './attachments/detach-policy-from-role.js';
import detachPolicyFromUser from './attachments/detach-policy-from-user.js';
import listEntitiesForPolicy from './attachments/list-entities-for-policy.js';
import listPoliciesForGroup from './attachments/list-policies-for-group.js';
import listPoliciesForRole from './attachments/list-policies-for-role.js';
import listPoliciesForUser from './attachments/list-policies-for-user.js';
import decodeDiagnosticMessage from './diagnostic/decode-diagnostic-message.js';
import addUserToGroup from './groups/add-user-to-group.js';
import createGroup from './groups/create-group.js';
import deleteGroup from './groups/delete-group.js';
import getGroup from './groups/get-group.js';
import listGroupsForUser from './groups/list-groups-for-user.js';
import listGroups from './groups/list-groups.js';
import listUsersForGroup from './groups/list-users-for-group.js';
import removeUserFromGroup from './groups/remove-user-from-group.js';
import updateGroup from './groups/update-group.js';
import changePassword from './login-profiles/change-password.js';
import createLoginProfile from './login-profiles/create-login-profile.js';
import deleteLoginProfile from './login-profiles/delete-login-profile.js';
import getLoginProfile from './login-profiles/get-login-profile.js';
import updateLoginProfile from './login-profiles/update-login-profile.js';
import bindMfaDevice from './mfa/bind-mfa-device.js';
import createVirtualMfaDevice from './mfa/create-virtual-mfa-device.js';
import deleteVirtualMfaDevice from './mfa/delete-virtual-mfa-device.js';
import getUserMfaInfo from './mfa/get-user-mfa-info.js';
import listVirtualMfaDevices from './mfa/list-virtual-mfa-devices.js';
import unbindMfaDevice from './mfa/unbind-mfa-device.js';
import createPolicyVersion from './policies/create-policy-version.js';
import createPolicy from './policies/create-policy.js';
import deletePolicyVersion from './policies/delete-policy-version.js';
import deletePolicy from './policies/delete-policy.js';
import getPolicyVersion from './policies/get-policy-version.js';
import getPolicy from './policies/get-policy.js';
import listPolicies from './policies/list-policies.js';
import listPolicyVersions from './policies/list-policy-versions.js';
import setDefaultPolicyVersion from './policies/set-default-policy-version.js';
import updatePolicyDescription from './policies/update-policy-description.js';
import createRole from './roles/create-role.js';
import deleteRole from './roles/delete-role.js';
import getRole from './roles/get-role.js';
import listRoles from './roles/list-roles.js';
import updateRole from './roles/update-role.js';
import listTagResources from './tags/list-tag-resources.js';
import tagResources from './tags/tag-resources.js';
import untagResources from './tags/untag-resources.js';
import createUser from './users/create-user.js';
import deleteUser from './users/delete-user.js';
import getUser from './users/get-user.js';
import listUsers from './users/list-users.js';
import updateUser from './users/update-user.js';

export const ramActions: readonly AnyActionDefinition[] = [
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
  clearAccountAlias,
  getAccountAlias,
  getPasswordPolicy,
  getSecurityPreference,
  setAccountAlias,
  setPasswordPolicy,
  setSecurityPreference,
  attachPolicyToGroup,
  attachPolicyToRole,
  attachPolicyToUser,
  detachPolicyFromGroup,
  detachPolicyFromRole,
  detachPolicyFromUser,
  listEntitiesForPolicy,
  listPoliciesForGroup,
  listPoliciesForRole,
  listPoliciesForUser,
  decodeDiagnosticMessage,
  addUserToGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroupsForUser,
  listGroups,
  listUsersForGroup,
  removeUserFromGroup,
  updateGroup,
  changePassword,
  createLoginProfile,
  deleteLoginProfile,
  getLoginProfile,
  updateLoginProfile,
  bindMfaDevice,
  createVirtualMfaDevice,
  deleteVirtualMfaDevice,
  getUserMfaInfo,
  listVirtualMfaDevices,
  unbindMfaDevice,
  createPolicyVersion,
  createPolicy,
  deletePolicyVersion,
  deletePolicy,
  getPolicyVersion,
  getPolicy,
  listPolicies,
  listPolicyVersions,
  setDefaultPolicyVersion,
  updatePolicyDescription,
  createRole,
  deleteRole,
  getRole,
  listRoles,
  updateRole,
  listTagResources,
  tagResources,
  untagResources,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  updateUser,
];
