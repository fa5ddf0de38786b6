/** Every IMS 2019-08-15 action: the identity operations, one module each, and those answered NotSupport.Operation. */
import type { AnyActionDefinition } from '../registry.js';
import createAccessKey from './access-keys/create-access-key.js';
import deleteAccessKey from './access-keys/delete-access-key.js';
import getAccessKeyLastUsed from './access-keys/get-access-key-last-used.js';
import listAccessKeys from './access-keys/list-access-keys.js';
import updateAccessKey from './access-keys/update-access-key.js';
import getAccountMfaInfo from './account/get-account-mfa-info.js';
import getAccountSecurityPracticeReport from './account/get-account-security-practice-report.js';
import getAccountSummary from './account/get-account-summary.js';
import getDefaultDomain from './account/get-default-domain.js';
import getPasswordPolicy from './account/get-password-policy.js';
import getSecurityPreference from './account/get-security-preference.js';
import setDefaultDomain from './account/set-default-domain.js';
import setPasswordPolicy from './account/set-password-policy.js';
import setSecurityPreference from './account/set-security-preference.js';
import generateCredentialReport from './credential-report/generate-credential-report.js';
import getCredentialReport from './credential-report/get-credential-report.js';
import addClientIdToOidcProvider from './federation/add-client-id-to-oidc-provider.js';
import addFingerprintToOidcProvider from './federation/add-fingerprint-to-oidc-provider.js';
import createOidcProvider from './federation/create-oidc-provider.js';
import createSamlProvider from './federation/create-saml-provider.js';
import deleteOidcProvider from './federation/delete-oidc-provider.js';
import deleteSamlProvider from './federation/delete-saml-provider.js';
import getOidcProvider from './federation/get-oidc-provider.js';
import getSamlProvider from './federation/get-saml-provider.js';
import listOidcProviders from './federation/list-oidc-providers.js';
import listSamlProviders from './federation/list-saml-providers.js';
import removeClientIdFromOidcProvider from './federation/remove-client-id-from-oidc-provider.js';
import removeFingerprintFromOidcProvider from './federation/remove-fingerprint-from-oidc-provider.js';
import updateOidcProvider from './federation/update-oidc-provider.js';
import updateSamlProvider from './federation/update-saml-provider.js';
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
import disableVirtualMfa from './mfa/disable-virtual-mfa.js';
import getUserMfaInfo from './mfa/get-user-mfa-info.js';
import listVirtualMfaDevices from './mfa/list-virtual-mfa-devices.js';
import unbindMfaDevice from './mfa/unbind-mfa-device.js';
import getUserSsoSettings from './sso/get-user-sso-settings.js';
import setUserSsoSettings from './sso/set-user-sso-settings.js';
import listTagResources from './tags/list-tag-resources.js';
import tagResources from './tags/tag-resources.js';
import untagResources from './tags/untag-resources.js';
import createUser from './users/create-user.js';
import deleteUser from './users/delete-user.js';
import getUser from './users/get-user.js';
import listUserBasicInfos from './users/list-user-basic-infos.js';
import listUsers from './users/list-users.js';
import updateUser from './users/update-user.js';
import { unsupportedActions } from './unsupported.js';

export const imsActions: readonly AnyActionDefinition[] = [
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
  getAccountMfaInfo,
  getAccountSecurityPracticeReport,
  getAccountSummary,
  getDefaultDomain,
  getPasswordPolicy,
  getSecurityPreference,
  setDefaultDomain,
  setPasswordPolicy,
  setSecurityPreference,
  generateCredentialReport,
  getCredentialReport,
  addClientIdToOidcProvider,
  addFingerprintToOidcProvider,
  createOidcProvider,
  createSamlProvider,
  deleteOidcProvider,
  deleteSamlProvider,
  getOidcProvider,
  getSamlProvider,
  listOidcProviders,
  listSamlProviders,
  removeClientIdFromOidcProvider,
  removeFingerprintFromOidcProvider,
  updateOidcProvider,
  updateSamlProvider,
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
  disableVirtualMfa,
  getUserMfaInfo,
  listVirtualMfaDevices,
  unbindMfaDevice,
  getUserSsoSettings,
  setUserSsoSettings,
  listTagResources,
  tagResources,
  untagResources,
  createUser,
  deleteUser,
  getUser,
  listUserBasicInfos,
  listUsers,
  updateUser,
  ...unsupportedActions,
];
