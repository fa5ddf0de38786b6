/**
 * The IMS 2019-08-15 operations outside identity management, which Rampart does not
 * implement: each answers `NotSupport.Operation` (HTTP 400) after authentication, with the
 * reason, and changes nothing (docs/ims-api.md lists them).
 */
import { apiErrorWithStatus } from '../../errors.js';
import { defineAction } from '../action.js';
import { params } from '../params.js';
import type { AnyActionDefinition } from '../registry.js';

const FAMILIES: Readonly<Record<string, { reason: string; actions: readonly string[] }>> = {
  applications: {
    reason: 'OAuth applications are not part of Rampart',
    actions: [
      'CreateApplication',
      'CreateAppSecret',
      'DeleteApplication',
      'DeleteAppSecret',
      'DeprovisionApplication',
      'DeprovisionExternalApplication',
      'GetApplication',
      'GetApplicationProvisionInfo',
      'GetAppSecret',
      'GetExternalApplication',
      'ListApplicationProvisionInfos',
      'ListApplications',
      'ListAppSecretIds',
      'ListExternalApplications',
      'ListPredefinedScopes',
      'ProvisionApplication',
      'ProvisionExternalApplication',
      'UpdateApplication',
    ],
  },
  recycleBin: {
    reason: 'Rampart deletes users and AccessKeys at once; it keeps no recycle bin',
    actions: [
      'DeleteAccessKeyInRecycleBin',
      'DeleteUserInRecycleBin',
      'GetAccessKeyInfoInRecycleBin',
      'GetUserInRecycleBin',
      'ListAccessKeysInRecycleBin',
      'ListUsersInRecycleBin',
      'RestoreAccessKeyFromRecycleBin',
      'RestoreUserFromRecycleBin',
    ],
  },
  passkeys: {
    reason: 'passkey (WebAuthn) logon is not part of Rampart',
    actions: ['DeletePasskey', 'ListPasskeys', 'UpdatePasskey'],
  },
  governance: {
    reason:
      'governance reports are not part of Rampart; use GetAccountSecurityPracticeReport and the credential report',
    actions: [
      'GenerateGovernanceReport',
      'GetGovernanceItemReport',
      'GetGovernanceReportStatus',
      'ListRecentGovernanceMetrics',
    ],
  },
  verification: {
    reason:
      'verified phone numbers and e-mail addresses need a message delivery channel, which Rampart does not have',
    actions: ['GetVerificationInfo', 'SetVerificationInfo', 'UnbindVerification'],
  },
};

export const UNSUPPORTED_IMS_ACTIONS: readonly string[] = Object.values(FAMILIES).flatMap((f) => f.actions);

export const unsupportedActions: readonly AnyActionDefinition[] = Object.values(FAMILIES).flatMap(
  ({ reason, actions }) =>
    actions.map((name) =>
      defineAction({
        service: 'ims',
        name,
        params: params({}),
        handle: () => {
          throw apiErrorWithStatus(
            'NotSupport.Operation',
            400,
            `${name} is not supported: ${reason}. See docs/ims-api.md.`,
          );
        },
      }),
    ),
);
