import { describe, expect, it } from 'vitest';
import type { AccessKey, CreatedAccessKey, Role, User } from '../../../src/domain/index.js';
import {
  accessKeyView,
  createdAccessKeyView,
  pageView,
  roleListItemView,
  userDetailView,
  userView,
} from '../../../src/api/ram/views.js';
import { arn, mfaDeviceNameOf } from '../../../src/api/ram/arn.js';

const user: User = {
  userId: '1234567890123456',
  userName: 'alice',
  userPrincipalName: 'alice@corp.onaliyun.com',
  createDate: '2026-01-01T00:00:00Z',
  updateDate: '2026-01-02T00:00:00Z',
};

describe('views', () => {
  it('shows unset optional text as empty strings and leaves out dates that do not exist', () => {
    expect(userView(user)).toEqual({
      UserId: '1234567890123456',
      UserName: 'alice',
      DisplayName: '',
      Email: '',
      MobilePhone: '',
      Comments: '',
      CreateDate: '2026-01-01T00:00:00Z',
      UpdateDate: '2026-01-02T00:00:00Z',
    });
    expect(userDetailView(user)).not.toHaveProperty('LastLoginDate');
    expect(userDetailView({ ...user, lastLoginDate: '2026-01-03T00:00:00Z' }).LastLoginDate).toBe(
      '2026-01-03T00:00:00Z',
    );
  });

  it('never shows a secret except in the answer that creates it', () => {
    const key: CreatedAccessKey = {
      accessKeyId: 'LTAI00000000000000000000',
      accessKeySecret: 's3cr3t',
      status: 'Active',
      createDate: '2026-01-01T00:00:00Z',
    };
    expect(createdAccessKeyView(key).AccessKeySecret).toBe('s3cr3t');
    expect(JSON.stringify(accessKeyView(key as AccessKey))).not.toContain('s3cr3t');
  });

  it('wraps list items in arrays and adds Marker only when truncated', () => {
    expect(
      pageView('Users', 'User', { items: [user], isTruncated: false, marker: 'm' }, (u) => u.userName),
    ).toEqual({
      Users: { User: ['alice'] },
      IsTruncated: false,
    });
    expect(
      pageView('Users', 'User', { items: [], isTruncated: true, marker: 'm' }, (u: User) => u.userName),
    ).toEqual({
      Users: { User: [] },
      IsTruncated: true,
      Marker: 'm',
    });
  });

  it('ListRoles items carry Tags.Tag[] and no trust policy', () => {
    const role: Role = {
      roleId: '300000000000000001',
      roleName: 'ops',
      arn: 'acs:ram::1234567890123456:role/ops',
      assumeRolePolicyDocument: '{}',
      maxSessionDuration: 3600,
      createDate: '2026-01-01T00:00:00Z',
      updateDate: '2026-01-01T00:00:00Z',
      tags: [{ tagKey: 'env', tagValue: 'prod' }],
    };
    const v = roleListItemView(role);
    expect(v).not.toHaveProperty('AssumeRolePolicyDocument');
    expect(v.Tags).toEqual({ Tag: [{ TagKey: 'env', TagValue: 'prod' }] });
  });
});

describe('arn', () => {
  it('names RAM resources', () => {
    expect(arn.user('1', 'alice')).toBe('acs:ram:*:1:user/alice');
    expect(arn.group('1', 'dev')).toBe('acs:ram:*:1:group/dev');
    expect(arn.role('1', 'ops')).toBe('acs:ram:*:1:role/ops');
    expect(arn.policy('1', 'Custom', 'p')).toBe('acs:ram:*:1:policy/p');
    expect(arn.policy('1', 'System', 'ReadOnlyAccess')).toBe('acs:ram:*:system:policy/ReadOnlyAccess');
    expect(arn.mfa('1', 'phone')).toBe('acs:ram:*:1:mfa/phone');
    expect(arn.all('1', 'user')).toBe('acs:ram:*:1:user/*');
    expect(arn.account('1')).toBe('acs:ram:*:1:*');
  });

  it('finds the device name in a serial number', () => {
    expect(mfaDeviceNameOf('acs:ram::1234567890123456:mfa/phone')).toBe('phone');
    expect(mfaDeviceNameOf('phone')).toBe('phone');
  });
});
