import { describe, expect, it } from 'vitest';
import { buildRequestContext } from '../../src/api/request-context.js';
import type { Principal } from '../../src/auth/principal.js';

const now = new Date('2026-11-23T12:00:00Z');

describe('buildRequestContext', () => {
  it('gives a RAM user call every global key', () => {
    expect(
      buildRequestContext({
        sourceIp: '::ffff:192.0.2.7',
        now,
        secure: false,
        principal: { type: 'RAMUser', accountId: '1000000000000001', userId: '2001', userName: 'alice' },
        accessKeyId: 'LTAIabc',
        userAgent: 'sdk/1',
        referer: 'https://console.example',
      }),
    ).toEqual({
      'acs:SourceIp': { type: 'IP', values: ['192.0.2.7'] },
      'acs:CurrentTime': { type: 'Date', values: ['2026-11-23T12:00:00.000Z'] },
      'acs:SecureTransport': { type: 'Bool', values: [false] },
      'acs:MFAPresent': { type: 'Bool', values: [false] },
      'acs:AccessId': { type: 'String', values: ['LTAIabc'] },
      'acs:UserAgent': { type: 'String', values: ['sdk/1'] },
      'acs:Referer': { type: 'String', values: ['https://console.example'] },
      'acs:PrincipalARN': { type: 'String', values: ['acs:ram::1000000000000001:user/alice'] },
      'acs:PrincipalAccount': { type: 'String', values: ['1000000000000001'] },
      'acs:PrincipalRAMUserId': { type: 'String', values: ['2001'] },
    });
  });

  it('names a role session by its role, without the session, as control policies exempt it', () => {
    const ctx = buildRequestContext({
      sourceIp: '192.0.2.7',
      now,
      secure: false,
      principal: {
        type: 'AssumedRole',
        accountId: '1000000000000001',
        roleId: '3001',
        roleName: 'ResourceDirectoryAccountAccessRole',
        sessionName: 'ops',
      } as Principal,
      accessKeyId: 'STS.abc',
      userAgent: undefined,
      referer: undefined,
    });
    expect(ctx['acs:PrincipalARN']).toEqual({
      type: 'String',
      values: ['acs:ram::1000000000000001:role/resourcedirectoryaccountaccessrole'],
    });
    expect(ctx['acs:PrincipalRAMUserId']).toBeUndefined();
  });

  it('leaves out what the request does not carry', () => {
    const ctx = buildRequestContext({
      sourceIp: '2001:db8::1',
      now,
      secure: true,
      principal: { type: 'Root', accountId: '1000000000000001' },
      accessKeyId: undefined,
      userAgent: undefined,
      referer: undefined,
    });
    expect(Object.keys(ctx).sort()).toEqual([
      'acs:CurrentTime',
      'acs:MFAPresent',
      'acs:PrincipalARN',
      'acs:PrincipalAccount',
      'acs:SecureTransport',
      'acs:SourceIp',
    ]);
    expect(ctx['acs:SourceIp']).toEqual({ type: 'IP', values: ['2001:db8::1'] });
    expect(ctx['acs:PrincipalARN']).toEqual({ type: 'String', values: ['acs:ram::1000000000000001:root'] });
  });
});
