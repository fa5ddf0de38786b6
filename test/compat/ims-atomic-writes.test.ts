/**
 * IMS calls that make one change in one write, raced by other calls, on both stores: a login
 * profile created Inactive is never seen Active; CreateUser with tags never answers a deletion
 * made meanwhile, nor removes a user another call created; DisableVirtualMFA unbinds and deletes
 * the device together, so a refusal leaves the user protected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, STRONG_PASSWORD, call, failure, twoCodes, uniq } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';

/** The outcome of a call: 'OK' or its error code. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch {
    return (await failure(p)).code;
  }
}

describe.each(STORES)('IMS writes raced by other calls (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;
  let ram: RamClient;
  let domain: string;
  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
    ram = ramClient(server);
    domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a login profile created Inactive is never seen Active', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const name = uniq('inactive');
      await call(ram, 'CreateUser', { UserName: name });
      let done = false;
      const reader = async () => {
        while (!done) {
          try {
            seen.add(
              (await imsCall(ims, 'GetLoginProfile', { UserPrincipalName: `${name}@${domain}` })).LoginProfile
                .Status,
            );
          } catch {
            // Not created yet.
          }
        }
      };
      const readers = [reader(), reader(), reader()];
      const created = await imsCall(ims, 'CreateLoginProfile', {
        UserPrincipalName: `${name}@${domain}`,
        Password: STRONG_PASSWORD,
        Status: 'Inactive',
      }).finally(() => {
        done = true;
      });
      await Promise.all(readers);
      expect(created.LoginProfile.Status).toBe('Inactive');
    }
    expect([...seen]).toEqual(['Inactive']);
  });

  it('CreateUser with tags, raced by a delete and a create of the same name, removes nobody', async () => {
    for (let round = 0; round < 12; round++) {
      const name = uniq('raced');
      let imsDone = false;
      const ims$ = outcome(
        imsCall(ims, 'CreateUser', {
          UserPrincipalName: `${name}@${domain}`,
          DisplayName: 'Raced',
          Tag: [{ Key: 'team', Value: 'core' }],
        }),
      ).finally(() => {
        imsDone = true;
      });
      // Another caller deletes the user as soon as it exists, then creates it again.
      const other = (async () => {
        for (;;) {
          const deleted = await outcome(call(ram, 'DeleteUser', { UserName: name }));
          if (deleted === 'OK') break;
          if (imsDone && deleted === 'EntityNotExist.User') return 'none';
        }
        return outcome(call(ram, 'CreateUser', { UserName: name }));
      })();
      const [first, second] = await Promise.all([ims$, other]);
      // The IMS call answered what it did: created (and then deleted by the other caller), or
      // found the name taken by the other caller's user.
      expect(['OK', 'EntityAlreadyExists.User']).toContain(first);
      if (second === 'OK') {
        // Nobody deleted the user the other caller created after its create was answered.
        const user = await call(ram, 'GetUser', { UserName: name });
        expect(user.User.UserName).toBe(name);
      }
    }
  });

  it('DisableVirtualMFA raced by a bind of the same device: refused means still bound', async () => {
    for (let round = 0; round < 8; round++) {
      const [owner, other] = [uniq('owner'), uniq('other')];
      for (const n of [owner, other]) await call(ram, 'CreateUser', { UserName: n });
      const device = (await call(ram, 'CreateVirtualMFADevice', { VirtualMFADeviceName: uniq('mfa') }))
        .VirtualMFADevice;
      const [code1, code2] = twoCodes(device.Base32StringSeed as string);
      const bind = (userName: string) =>
        call(ram, 'BindMFADevice', {
          UserName: userName,
          SerialNumber: device.SerialNumber,
          AuthenticationCode1: code1,
          AuthenticationCode2: code2,
        });
      await bind(owner);
      let disableDone = false;
      const disable$ = outcome(
        imsCall(ims, 'DisableVirtualMFA', { UserPrincipalName: `${owner}@${domain}` }),
      ).finally(() => {
        disableDone = true;
      });
      // Another caller binds the device to another user as soon as it is free.
      const bind$ = (async () => {
        for (;;) {
          const r = await outcome(bind(other));
          if (r === 'OK' || disableDone) return r;
        }
      })();
      const [disabled] = await Promise.all([disable$, bind$]);
      const ownerDevice = await outcome(call(ram, 'GetUserMFAInfo', { UserName: owner }));
      if (disabled === 'OK') expect(ownerDevice).toBe('EntityNotExist.User.MFADevice');
      else expect([disabled, ownerDevice]).toEqual([disabled, 'OK']);
    }
  });
});
