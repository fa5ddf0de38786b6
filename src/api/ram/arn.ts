/**
 * Resource ARNs of RAM as its actions are authorized against them
 * (`acs:ram:*:<accountId>:<type>/<name>`). System policies belong to no account:
 * `acs:ram:*:system:policy/<name>`. Collections (list operations) use `<type>/*`;
 * account-wide settings use `acs:ram:*:<accountId>:*`.
 */
import type { PolicyType } from '../../domain/index.js';

const base = (accountId: string) => `acs:ram:*:${accountId}`;

export const arn = {
  user: (accountId: string, userName: string) => `${base(accountId)}:user/${userName}`,
  group: (accountId: string, groupName: string) => `${base(accountId)}:group/${groupName}`,
  role: (accountId: string, roleName: string) => `${base(accountId)}:role/${roleName}`,
  policy: (accountId: string, policyType: PolicyType, policyName: string) =>
    policyType === 'System'
      ? `acs:ram:*:system:policy/${policyName}`
      : `${base(accountId)}:policy/${policyName}`,
  mfa: (accountId: string, deviceName: string) => `${base(accountId)}:mfa/${deviceName}`,
  /** Every resource of one type in the account: `user/*`, `group/*`, ... */
  all: (accountId: string, type: 'user' | 'group' | 'role' | 'policy' | 'mfa') =>
    `${base(accountId)}:${type}/*`,
  /** Account-wide settings (alias, password policy, security preference). */
  account: (accountId: string) => `${base(accountId)}:*`,
};

/**
 * The device name inside a virtual MFA serial number (`acs:ram::<accountId>:mfa/<name>`);
 * the serial number itself when it has another form (the domain then answers EntityNotExist).
 */
export function mfaDeviceNameOf(serialNumber: string): string {
  const i = serialNumber.lastIndexOf(':mfa/');
  return i < 0 ? serialNumber : serialNumber.slice(i + ':mfa/'.length);
}
