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
import { mfaDeviceNameOf, ramResource } from '../../../src/api/ram/resources.js';

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

describe('RAM resources', () => {
  it('names entities by reference and collections by ARN', () => {
    expect(ramResource.user('1', 'alice')).toEqual({
      kind: 'entity',
      accountId: '1',
      type: 'user',
      name: 'alice',
    });
    expect(ramResource.policy('1', 'System', 'ReadOnlyAccess')).toEqual({
      kind: 'entity',
      accountId: '1',
      type: 'policy',
      name: 'ReadOnlyAccess',
      system: true,
    });
    expect(ramResource.all('1', 'user')).toBe('acs:ram:*:1:user/*');
    expect(ramResource.account('1')).toBe('acs:ram:*:1:*');
  });

  it('finds the device name in a serial number', () => {
    expect(mfaDeviceNameOf('acs:ram::1234567890123456:mfa/phone')).toBe('phone');
    expect(mfaDeviceNameOf('phone')).toBe('phone');
  });
});
