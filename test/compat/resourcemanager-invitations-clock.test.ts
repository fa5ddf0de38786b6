/**
 * Resource Directory invitations against a server whose clock the test moves, on both stores:
 * an invitation expires 14 days after it was sent (decided when read), an expired one cannot
 * be accepted and another can be sent; an account that joins by invitation gets no access
 * role; concurrent invitations and acceptances leave one pending invitation and one directory
 * per account. And CreateResourceAccount is one transaction: when its last write fails (a quota
 * that forbids the access role's AdministratorAccess), no account, role, attachment or
 * membership is left.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { STORES, call, expectFailure, failure, type Json } from './ram-helpers.js';
import { rmCall, rmClient, type RmClient } from './resourcemanager-helpers.js';

const DAY = 24 * 3600 * 1000;

/**
 * The official client signs with the process's Date: it follows the server's clock, so that
 * requests sent after the clock moved carry a timestamp the server accepts.
 */
function followServerClock(srv: InProcessServer): void {
  vi.setSystemTime(srv.clock());
}

describe.each(STORES)('Invitations on a moving clock, and atomic member creation, on %s', (store) => {
  let srv: InProcessServer;
  let rm: RmClient;
  /** An account of the deployment outside any directory, with its root keys. */
  let other: { id: string; keys: KeyPair };

  beforeAll(async () => {
    // No System policy may be attached to an identity: the access role of a created member
    // cannot get AdministratorAccess, the last write of CreateResourceAccount.
    srv = await startInProcessServer({ store, quotas: { systemPoliciesPerIdentity: 0 } });
    vi.useFakeTimers({ toFake: ['Date'] });
    followServerClock(srv);
    rm = rmClient(srv, { accessKeyId: srv.rootAccessKeyId, accessKeySecret: srv.rootAccessKeySecret });
    await rmCall(rm, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' });
    const created = await srv.deployment.domain.accounts.create({ rootPassword: 'Other#Account-2026' });
    const key = await srv.deployment.domain.accounts.createRootAccessKey(created.accountId);
    other = { id: created.accountId, keys: key };
  });
  afterAll(async () => {
    vi.useRealTimers();
    await srv?.stop();
  });

  it('an invitation expires after 14 days; expired, it cannot be accepted, and a new one can be sent', async () => {
    const asOther = rmClient(srv, other.keys);
    const h = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: other.id })
    ).Handshake;
    srv.clock.advance(14 * DAY - 60_000);
    followServerClock(srv);
    expect((await rmCall(asOther, 'GetHandshake', { HandshakeId: h.HandshakeId })).Handshake.Status).toBe(
      'Pending',
    );
    srv.clock.advance(60_000);
    followServerClock(srv);
    expect((await rmCall(asOther, 'GetHandshake', { HandshakeId: h.HandshakeId })).Handshake.Status).toBe(
      'Expired',
    );
    const listed = (await rmCall(rm, 'ListHandshakesForResourceDirectory')).Handshakes.Handshake as Json[];
    expect(listed.map((x) => [x.HandshakeId, x.Status])).toEqual([[h.HandshakeId, 'Expired']]);
    await expectFailure(
      rmCall(asOther, 'AcceptHandshake', { HandshakeId: h.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
    await expectFailure(
      rmCall(rm, 'CancelHandshake', { HandshakeId: h.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: other.id }), 'EntityNotExists.Account', 404);

    // An expired invitation does not block a new one, which the root of the account accepts.
    const again = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: other.id })
    ).Handshake;
    expect(Date.parse(again.ExpireTime)).toBe(
      srv.clock().getTime() - (srv.clock().getTime() % 1000) + 14 * DAY,
    );
    await rmCall(asOther, 'AcceptHandshake', { HandshakeId: again.HandshakeId });
    expect((await rmCall(rm, 'GetAccount', { AccountId: other.id })).Account.JoinMethod).toBe('invited');
    // Accepted stays Accepted when its expiry time passes.
    srv.clock.advance(15 * DAY);
    followServerClock(srv);
    expect((await rmCall(asOther, 'GetHandshake', { HandshakeId: again.HandshakeId })).Handshake.Status).toBe(
      'Accepted',
    );
  });

  it('an invited member gets no access role', async () => {
    await expectFailure(
      call(ramClient(srv, other.keys), 'GetRole', { RoleName: 'ResourceDirectoryAccountAccessRole' }),
      'EntityNotExist.Role',
      404,
    );
  });

  it('races: one pending invitation per account, and an account joins one directory only', async () => {
    const d = srv.deployment.domain;
    const newAccount = async () => {
      const a = await d.accounts.create({ rootPassword: 'Race#Account-2026' });
      return { id: a.accountId, keys: (await d.accounts.createRootAccessKey(a.accountId)) as KeyPair };
    };
    const [second, target] = [await newAccount(), await newAccount()];
    const rm2 = rmClient(srv, second.keys);
    await rmCall(rm2, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' });
    const invite = (client: RmClient) =>
      rmCall(client, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: target.id });
    const twice = await Promise.allSettled([invite(rm), invite(rm)]);
    expect(twice.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = twice.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as { code?: string }).code).toBe('EntityAlreadyExists.Handshake');
    const fromFirst = (twice.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Json>).value
      .Handshake.HandshakeId;
    const fromSecond = (await invite(rm2)).Handshake.HandshakeId;

    const asTarget = rmClient(srv, target.keys);
    const accepts = await Promise.allSettled(
      [fromFirst, fromSecond].map((id) => rmCall(asTarget, 'AcceptHandshake', { HandshakeId: id })),
    );
    expect(accepts.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = accepts.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as { code?: string }).code).toBe('EntityAlreadyExists.ResourceDirectory');
    const inFirst = await failure(rmCall(rm, 'GetAccount', { AccountId: target.id })).catch(() => undefined);
    const inSecond = await failure(rmCall(rm2, 'GetAccount', { AccountId: target.id })).catch(
      () => undefined,
    );
    // Exactly one directory answers GetAccount (the other refuses with EntityNotExists.Account).
    expect([inFirst?.code, inSecond?.code].filter((c) => c === 'EntityNotExists.Account')).toHaveLength(1);
    const directory = (await rmCall(asTarget, 'GetResourceDirectory')).ResourceDirectory;
    expect([srv.accountId, second.id]).toContain(directory.MasterAccountId);
  });

  it('a trusted service has at most five delegated administrators', async () => {
    const d = srv.deployment.domain;
    const members: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await d.accounts.create({ rootPassword: 'Member#Account-2026' });
      const h = await d.resourceDirectory.invite(srv.accountId, {
        targetType: 'Account',
        targetEntity: a.accountId,
      });
      await d.resourceDirectory.acceptHandshake(a.accountId, h.handshakeId);
      members.push(a.accountId);
    }
    const register = (id: string) =>
      rmCall(rm, 'RegisterDelegatedAdministrator', {
        AccountId: id,
        ServicePrincipal: 'config.aliyuncs.com',
      });
    for (const id of members.slice(0, 5)) await register(id);
    await expectFailure(register(members[5]!), 'DelegatedAccountNumberExceeded', 409);
    const listed = await rmCall(rm, 'ListDelegatedAdministrators', {
      ServicePrincipal: 'config.aliyuncs.com',
    });
    expect(listed.TotalCount).toBe(5);
    expect(listed.Accounts.Account.map((a: Json) => a.AccountId)).not.toContain(members[5]);
    // Another service has its own five.
    await rmCall(rm, 'RegisterDelegatedAdministrator', {
      AccountId: members[5]!,
      ServicePrincipal: 'actiontrail.aliyuncs.com',
    });
  });

  it('CreateResourceAccount failing at its last write leaves nothing behind', async () => {
    const db = srv.deployment.store.db;
    const counts = async () => ({
      accounts: Number(
        (
          await db
            .selectFrom('accounts')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      roles: Number(
        (
          await db
            .selectFrom('roles')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      attachments: Number(
        (
          await db
            .selectFrom('attachments')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      members: Number(
        (
          await db
            .selectFrom('rd_accounts')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      aliases: Number(
        (
          await db
            .selectFrom('accounts')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('alias_key', '=', 'half-made')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });
    const before = await counts();
    expect(before.aliases).toBe(0);
    for (let i = 0; i < 2; i++) {
      // The same alias twice: had the first attempt left its account, the second would find it taken.
      await expectFailure(
        rmCall(rm, 'CreateResourceAccount', { DisplayName: 'Half made', AccountNamePrefix: 'half-made' }),
        'LimitExceeded.Role.Policy',
        409,
      );
    }
    expect(await counts()).toEqual(before);
    const accounts = (await rmCall(rm, 'ListAccounts')).Accounts.Account as Json[];
    expect(accounts.filter((a) => a.JoinMethod === 'created')).toEqual([]);
  });
});
