/**
 * What RAM's actions are authorized against. An action names an entity by the caller's
 * spelling; the authorize step resolves every entity reference against the store and builds
 * its ARN from the stored name (src/arn.ts), so any case variant of an existing name is
 * decided exactly like its stored spelling. A name that does not exist yet is used as given.
 * Collections and account-wide settings are plain ARNs.
 */
import { ramAccountArn, ramCollectionArn, type RamResourceType } from '../../arn.js';
import type { PolicyType } from '../../domain/index.js';
import type { EntityRef } from '../action.js';

const entity = (accountId: string, type: RamResourceType, name: string): EntityRef => ({
  kind: 'entity',
  accountId,
  type,
  name,
});

export const ramResource = {
  user: (accountId: string, userName: string) => entity(accountId, 'user', userName),
  group: (accountId: string, groupName: string) => entity(accountId, 'group', groupName),
  role: (accountId: string, roleName: string) => entity(accountId, 'role', roleName),
  policy: (accountId: string, policyType: PolicyType, policyName: string): EntityRef =>
    policyType === 'System'
      ? { kind: 'entity', accountId, type: 'policy', name: policyName, system: true }
      : entity(accountId, 'policy', policyName),
  /** A virtual MFA device named by its serial number or, when creating it, by its name. */
  mfa: (accountId: string, deviceName: string) => entity(accountId, 'mfa', deviceName),
  /** Every resource of one type in the account: `user/*`, `group/*`, ... */
  all: (accountId: string, type: RamResourceType) => ramCollectionArn(accountId, type),
  /** Account-wide settings (alias, password policy, security preference). */
  account: (accountId: string) => ramAccountArn(accountId),
};

/**
 * The device name inside a virtual MFA serial number (`acs:ram::<accountId>:mfa/<name>`);
 * the serial number itself when it has another form (the domain then answers EntityNotExist).
 */
export function mfaDeviceNameOf(serialNumber: string): string {
  const i = serialNumber.lastIndexOf(':mfa/');
  return i < 0 ? serialNumber : serialNumber.slice(i + ':mfa/'.length);
}
