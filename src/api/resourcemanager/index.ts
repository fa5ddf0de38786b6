/** Every ResourceManager 2020-03-31 action Rampart serves; the rest answer UnsupportedOperation. */
import type { AnyActionDefinition } from '../registry.js';
import createResourceAccount from './accounts/create-resource-account.js';
import getAccount from './accounts/get-account.js';
import listAccountsForParent from './accounts/list-accounts-for-parent.js';
import listAccounts from './accounts/list-accounts.js';
import moveAccount from './accounts/move-account.js';
import removeCloudAccount from './accounts/remove-cloud-account.js';
import updateAccount from './accounts/update-account.js';
import attachControlPolicy from './control-policies/attach-control-policy.js';
import createControlPolicy from './control-policies/create-control-policy.js';
import deleteControlPolicy from './control-policies/delete-control-policy.js';
import detachControlPolicy from './control-policies/detach-control-policy.js';
import disableControlPolicy from './control-policies/disable-control-policy.js';
import enableControlPolicy from './control-policies/enable-control-policy.js';
import getControlPolicyEnablementStatus from './control-policies/get-control-policy-enablement-status.js';
import getControlPolicy from './control-policies/get-control-policy.js';
import listControlPolicies from './control-policies/list-control-policies.js';
import listControlPolicyAttachmentsForTarget from './control-policies/list-control-policy-attachments-for-target.js';
import listTargetAttachmentsForControlPolicy from './control-policies/list-target-attachments-for-control-policy.js';
import updateControlPolicy from './control-policies/update-control-policy.js';
import destroyResourceDirectory from './directory/destroy-resource-directory.js';
import enableResourceDirectory from './directory/enable-resource-directory.js';
import getResourceDirectory from './directory/get-resource-directory.js';
import initResourceDirectory from './directory/init-resource-directory.js';
import createFolder from './folders/create-folder.js';
import deleteFolder from './folders/delete-folder.js';
import getFolder from './folders/get-folder.js';
import listAncestors from './folders/list-ancestors.js';
import listFoldersForParent from './folders/list-folders-for-parent.js';
import updateFolder from './folders/update-folder.js';
import acceptHandshake from './handshakes/accept-handshake.js';
import cancelHandshake from './handshakes/cancel-handshake.js';
import declineHandshake from './handshakes/decline-handshake.js';
import getHandshake from './handshakes/get-handshake.js';
import inviteAccountToResourceDirectory from './handshakes/invite-account-to-resource-directory.js';
import listHandshakesForAccount from './handshakes/list-handshakes-for-account.js';
import listHandshakesForResourceDirectory from './handshakes/list-handshakes-for-resource-directory.js';
import deregisterDelegatedAdministrator from './delegated-administrators/deregister-delegated-administrator.js';
import listDelegatedAdministrators from './delegated-administrators/list-delegated-administrators.js';
import listDelegatedServicesForAccount from './delegated-administrators/list-delegated-services-for-account.js';
import registerDelegatedAdministrator from './delegated-administrators/register-delegated-administrator.js';
import { unsupportedActions } from './unsupported.js';

/** The operations implemented (docs/resource-directory.md). */
export const implementedResourceManagerActions: readonly AnyActionDefinition[] = [
  createResourceAccount,
  getAccount,
  listAccountsForParent,
  listAccounts,
  moveAccount,
  removeCloudAccount,
  updateAccount,
  attachControlPolicy,
  createControlPolicy,
  deleteControlPolicy,
  detachControlPolicy,
  disableControlPolicy,
  enableControlPolicy,
  getControlPolicyEnablementStatus,
  getControlPolicy,
  listControlPolicies,
  listControlPolicyAttachmentsForTarget,
  listTargetAttachmentsForControlPolicy,
  updateControlPolicy,
  destroyResourceDirectory,
  enableResourceDirectory,
  getResourceDirectory,
  initResourceDirectory,
  createFolder,
  deleteFolder,
  getFolder,
  listAncestors,
  listFoldersForParent,
  updateFolder,
  acceptHandshake,
  cancelHandshake,
  declineHandshake,
  getHandshake,
  inviteAccountToResourceDirectory,
  listHandshakesForAccount,
  listHandshakesForResourceDirectory,
  deregisterDelegatedAdministrator,
  listDelegatedAdministrators,
  listDelegatedServicesForAccount,
  registerDelegatedAdministrator,
];

export const resourceManagerActions: readonly AnyActionDefinition[] = [
  ...implementedResourceManagerActions,
  ...unsupportedActions,
];
