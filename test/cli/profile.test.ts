/**
 * The role sessions of RamRoleArn profiles: assumed at the endpoint the call goes to (--endpoint
 * or RAMPART_ENDPOINT before the profile's own), and taken from the cache only where, and as,
 * they were obtained.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resolveCredentials,
  writePrivateJson,
  type CredentialFetchers,
  type TemporaryCredentials,
} from '../../src/cli/profile.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let remove: () => void;
beforeAll(() => {
  ({ dir, remove } = tempDir('rampart-profile-'));
});
afterAll(() => remove());

describe('RamRoleArn profiles', () => {
  it('assume the role where the call goes, and use a cached session only there and with its ExternalId', async () => {
    const configPath = join(dir, 'config.json');
    const profile = (externalId?: string) => ({
      name: 'role',
      mode: 'RamRoleArn',
      access_key_id: 'AKID',
      access_key_secret: 'SECRET',
      ram_role_arn: 'acs:ram::1:role/r',
      ram_session_name: 's',
      endpoint: 'a.example:8080',
      ...(externalId ? { external_id: externalId } : {}),
    });
    writePrivateJson(configPath, { current: 'role', profiles: [profile()] });
    const calls: (string | undefined)[] = [];
    const fetchers: CredentialFetchers = {
      async assumeRole(_source, endpoint, role) {
        calls.push(`${endpoint}|${role.externalId ?? ''}`);
        const n = calls.length;
        return {
          accessKeyId: `STS.${n}`,
          accessKeySecret: `s${n}`,
          securityToken: `t${n}`,
          expiration: new Date(Date.now() + 3600_000).toISOString(),
        } satisfies TemporaryCredentials;
      },
      fetchUri: () => Promise.reject(new Error('unused')),
      fromSession: () => Promise.reject(new Error('unused')),
    };
    const resolve = (endpoint?: string) =>
      resolveCredentials({ profile: 'role', configPath, env: {}, fetchers, endpoint });

    expect((await resolve()).credentials.securityToken).toBe('t1');
    expect((await resolve()).credentials.securityToken).toBe('t1');
    // Another endpoint named by the command: the role is assumed there, not sent the session of A.
    expect((await resolve('b.example:8080')).credentials.securityToken).toBe('t2');
    expect((await resolve('b.example:8080')).credentials.securityToken).toBe('t2');
    expect((await resolve()).credentials.securityToken).toBe('t3');
    // Another ExternalId: a new session.
    writePrivateJson(configPath, { current: 'role', profiles: [profile('ext-1')] });
    expect((await resolve()).credentials.securityToken).toBe('t4');
    expect(calls).toEqual(['a.example:8080|', 'b.example:8080|', 'a.example:8080|', 'a.example:8080|ext-1']);
  });
});
