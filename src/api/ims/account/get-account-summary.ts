import { defineAction } from '../../action.js';
import { params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { POLICY_SIZE_QUOTA } from '../../../domain/account-summary.js';

/**
 * Conditions and IP items of an AccessKey policy: fixed by the service (AccessKey network
 * policies are not part of Rampart); reported as the service's limits.
 */
const CONDITIONS_PER_AK_POLICY = 10;
const IP_ITEMS_PER_AK_POLICY = 50;

/** Entity counts and the quotas in force for the account (deployment defaults, per-account overrides). */
export default defineAction({
  service: 'ims',
  name: 'GetAccountSummary',
  params: params({}),
  authorize: (req) => ({ action: 'ram:GetAccountSummary', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const s = await domain.accountSummary.summary(req.accountId);
    const q = s.quotas;
    return {
      SummaryMap: {
        Users: s.users,
        UsersQuota: q.usersPerAccount,
        Groups: s.groups,
        GroupsQuota: q.groupsPerAccount,
        GroupsPerUserQuota: q.groupsPerUser,
        Roles: s.roles,
        RolesQuota: q.rolesPerAccount,
        Policies: s.policies,
        PoliciesQuota: q.customPoliciesPerAccount,
        PolicySizeQuota: POLICY_SIZE_QUOTA,
        VersionsPerPolicyQuota: q.versionsPerPolicy,
        MFADevices: s.mfaDevices,
        MFADevicesInUse: s.mfaDevicesInUse,
        VirtualMFADevicesQuota: q.virtualMFADevicesPerAccount,
        AccessKeysPerUserQuota: q.accessKeysPerUser,
        AccountAccessKeysPerAccountQuota: q.accessKeysPerRoot,
        AttachedPoliciesPerUserQuota: q.customPoliciesPerIdentity,
        AttachedPoliciesPerGroupQuota: q.customPoliciesPerIdentity,
        AttachedPoliciesPerRoleQuota: q.customPoliciesPerIdentity,
        AttachedSystemPoliciesPerUserQuota: q.systemPoliciesPerIdentity,
        AttachedSystemPoliciesPerGroupQuota: q.systemPoliciesPerIdentity,
        AttachedSystemPoliciesPerRoleQuota: q.systemPoliciesPerIdentity,
        ConditionsPerAKPolicyQuota: CONDITIONS_PER_AK_POLICY,
        IPItemsPerAKPolicyQuota: IP_ITEMS_PER_AK_POLICY,
      },
    };
  },
});
