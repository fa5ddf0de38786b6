import { describe, expect, it } from 'vitest';
import {
  arnAccount,
  assumedRoleArn,
  mfaDeviceNameOf,
  mfaSerialNumber,
  ramAccountArn,
  ramCollectionArn,
  ramResourceArn,
  roleArn,
  rootArn,
  systemPolicyArn,
  userArn,
} from '../src/arn.js';

describe('arn', () => {
  it('builds resource ARNs with the name as given (the stored spelling)', () => {
    expect(ramResourceArn('1', 'user', 'Boss')).toBe('acs:ram:*:1:user/Boss');
    expect(ramResourceArn('1', 'role', 'ResourceDirectoryAccountAccessRole')).toBe(
      'acs:ram:*:1:role/ResourceDirectoryAccountAccessRole',
    );
    expect(systemPolicyArn('AdministratorAccess')).toBe('acs:ram:*:system:policy/AdministratorAccess');
    expect(ramCollectionArn('1', 'group')).toBe('acs:ram:*:1:group/*');
    expect(ramAccountArn('1')).toBe('acs:ram:*:1:*');
  });

  it('builds identity ARNs; a role ARN names the role in lower case as the service returns it', () => {
    expect(rootArn('1')).toBe('acs:ram::1:root');
    expect(userArn('1', 'Alice')).toBe('acs:ram::1:user/Alice');
    expect(roleArn('1', 'AdminRole')).toBe('acs:ram::1:role/adminrole');
    expect(assumedRoleArn('1', 'AdminRole', 's1')).toBe('acs:ram::1:assumed-role/AdminRole/s1');
    expect(mfaSerialNumber('1', 'phone')).toBe('acs:ram::1:mfa/phone');
  });

  it('reads the device name of a serial number of this account only', () => {
    expect(mfaDeviceNameOf('1', 'acs:ram::1:mfa/phone')).toBe('phone');
    expect(mfaDeviceNameOf('1', 'acs:ram::2:mfa/phone')).toBeUndefined();
    expect(mfaDeviceNameOf('1', 'acs:ram::1:mfa/')).toBeUndefined();
  });

  it('reads the account segment', () => {
    expect(arnAccount('acs:ram:*:123:user/a')).toBe('123');
    expect(arnAccount('*')).toBeUndefined();
  });
});
