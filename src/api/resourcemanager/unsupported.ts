import { defineAction } from '../action.js';
import { params } from '../params.js';
import { apiErrorWithStatus } from '../../errors.js';
import type { AnyActionDefinition } from '../registry.js';

/**
 * ResourceManager operations Rampart does not serve. They answer `UnsupportedOperation` (400)
 * without looking at their parameters, so a client learns it at once instead of meeting an
 * unknown action (docs/resource-directory.md lists them).
 */

/**
 * In the Resource Directory scope, not served: none left (invitations and delegated
 * administrators are served since; the list stays for operations that may join it).
 */
export const UNSUPPORTED_IN_SCOPE: readonly string[] = [];

/** Outside the Resource Directory scope: resource groups, resource sharing, service-linked roles, ... */
export const UNSUPPORTED_OUT_OF_SCOPE = [
  'AttachPolicy',
  'BindSecureMobilePhone',
  'CancelChangeAccountEmail',
  'CancelCreateCloudAccount',
  'CancelPromoteResourceAccount',
  'ChangeAccountEmail',
  'CheckAccountDelete',
  'CreateAutoGroupingRule',
  'CreateCloudAccount',
  'CreatePolicy',
  'CreatePolicyVersion',
  'CreateResourceGroup',
  'CreateRole',
  'CreateServiceLinkedRole',
  'DeleteAccount',
  'DeleteAutoGroupingRule',
  'DeletePolicy',
  'DeletePolicyVersion',
  'DeleteResourceGroup',
  'DeleteRole',
  'DeleteServiceLinkedRole',
  'DetachPolicy',
  'DisableAssociatedTransfer',
  'DisableAutoGrouping',
  'DisableResourceGroupNotification',
  'EnableAssociatedTransfer',
  'EnableAutoGrouping',
  'EnableResourceGroupNotification',
  'GetAccountDeletionCheckResult',
  'GetAccountDeletionStatus',
  'GetAutoGroupingRule',
  'GetAutoGroupingStatus',
  'GetPayerForAccount',
  'GetPolicy',
  'GetPolicyVersion',
  'GetResourceGroup',
  'GetResourceGroupAdminSetting',
  'GetResourceGroupNotificationSetting',
  'GetResourceGroupResourceCounts',
  'GetRole',
  'GetServiceLinkedRoleDeletionStatus',
  'ListAssociatedTransferSetting',
  'ListAutoGroupingRemediations',
  'ListAutoGroupingRules',
  'ListPolicies',
  'ListPolicyAttachments',
  'ListPolicyVersions',
  'ListResourceGroupCapability',
  'ListResourceGroups',
  'ListResourceGroupsWithAuthDetails',
  'ListResources',
  'ListRoles',
  'ListTagKeys',
  'ListTagResources',
  'ListTagValues',
  'ListTrustedServiceStatus',
  'LookupResourceGroupEvents',
  'MoveResources',
  'PromoteResourceAccount',
  'ResendCreateCloudAccountEmail',
  'ResendPromoteResourceAccountEmail',
  'RetryChangeAccountEmail',
  'SendVerificationCodeForBindSecureMobilePhone',
  'SendVerificationCodeForEnableRD',
  'SetDefaultPolicyVersion',
  'SetMemberDeletionPermission',
  'TagResources',
  'UntagResources',
  'UpdateAssociatedTransferSetting',
  'UpdateAutoGroupingConfig',
  'UpdateAutoGroupingRule',
  'UpdateResourceGroup',
  'UpdateResourceGroupAdminSetting',
  'UpdateRole',
] as const;

function unsupported(name: string, why: string): AnyActionDefinition {
  return defineAction({
    service: 'resourcemanager',
    name,
    params: params({}),
    handle: () => {
      throw apiErrorWithStatus(
        'UnsupportedOperation',
        400,
        `${name} is not supported by this deployment: ${why}.`,
      );
    },
  });
}

export const unsupportedActions: readonly AnyActionDefinition[] = [
  ...UNSUPPORTED_IN_SCOPE.map((n) =>
    unsupported(n, 'this Resource Directory operation is not served by this deployment'),
  ),
  ...UNSUPPORTED_OUT_OF_SCOPE.map((n) =>
    unsupported(n, 'Rampart serves the Resource Directory and control policies of ResourceManager only'),
  ),
];
