import { expect, it } from 'vitest';
import { forEachBackend } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = 'Idle-Credentials-2026!';

forEachBackend('idle credentials (MaxIdleDays)', (w) => {
  const keyStatus = async (userName: string, accessKeyId: string) =>
    (await w().domain.accessKeys.list(w().accountId, userName)).find((k) => k.accessKeyId === accessKeyId)
      ?.status;

  it('changes nothing while the security preference sets no idle days', async () => {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName: 'dormant' });
    const key = await domain.accessKeys.create(accountId, 'dormant');
    await domain.loginProfiles.create(accountId, 'dormant', { password: PASSWORD });
    clock.advance(1000 * DAY);
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 0, consoleLogons: 0 });
    expect(await keyStatus('dormant', key.accessKeyId)).toBe('Active');
    expect((await domain.loginProfiles.get(accountId, 'dormant')).status).toBe('Active');
  });

  it('disables a RAM user key unused for MaxIdleDaysForAccessKeys days, counted from its last use', async () => {
    const { domain, accountId, clock } = w();
    await domain.securityPreference.set(accountId, { maxIdleDaysForAccessKeys: 90 });
    await domain.users.create(accountId, { userName: 'app' });
    const never = await domain.accessKeys.create(accountId, 'app');
    const used = await domain.accessKeys.create(accountId, 'app');
    const root = await domain.accounts.createRootAccessKey(accountId);

    clock.advance(60 * DAY);
    await domain.accessKeys.recordUse(used.accessKeyId, clock.fn());
    clock.advance(29 * DAY); // day 89: nothing is idle yet
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 0, consoleLogons: 0 });

    clock.advance(2 * DAY); // day 91: the key never used is; the one used on day 60 is not
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 1, consoleLogons: 0 });
    expect(await keyStatus('app', never.accessKeyId)).toBe('Inactive');
    expect(await keyStatus('app', used.accessKeyId)).toBe('Active');
    // Idempotent.
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 0, consoleLogons: 0 });

    clock.advance(60 * DAY); // day 151: 91 days after its last use
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 1, consoleLogons: 0 });
    expect(await keyStatus('app', used.accessKeyId)).toBe('Inactive');
    // The root's keys are not RAM users' keys.
    expect(
      (await domain.accessKeys.listRoot(accountId)).find((k) => k.accessKeyId === root.accessKeyId)?.status,
    ).toBe('Active');
    // A disabled key is refused by authentication: the request path reads its status.
    expect((await w().services.credentials.findSigningKey(never.accessKeyId))?.status).toBe('Inactive');
  });

  it('disables the console logon of a user who has not logged on for MaxIdleDaysForUsers days', async () => {
    const { domain, accountId, clock } = w();
    await domain.securityPreference.set(accountId, { maxIdleDaysForUsers: 180 });
    await domain.users.create(accountId, { userName: 'regular' });
    await domain.users.create(accountId, { userName: 'absent' });
    await domain.users.create(accountId, { userName: 'api-only' });
    await domain.loginProfiles.create(accountId, 'regular', { password: PASSWORD });
    await domain.loginProfiles.create(accountId, 'absent', { password: PASSWORD });

    clock.advance(100 * DAY);
    await domain.users.recordLogin(accountId, 'regular', clock.fn());
    clock.advance(81 * DAY); // day 181
    expect(await domain.idleCredentials.disableIdle()).toEqual({ accessKeys: 0, consoleLogons: 1 });
    expect((await domain.loginProfiles.get(accountId, 'absent')).status).toBe('Inactive');
    expect((await domain.loginProfiles.get(accountId, 'regular')).status).toBe('Active');
    await expect(domain.loginProfiles.get(accountId, 'api-only')).rejects.toMatchObject({
      code: 'EntityNotExist.User.LoginProfile',
    });
  });

  it('acts in the accounts that set it only', async () => {
    const { domain, accountId, clock } = w();
    const other = await domain.accounts.create({ rootPassword: 'root-password-2' });
    await domain.securityPreference.set(other.accountId, { maxIdleDaysForAccessKeys: 90 });
    await domain.users.create(accountId, { userName: 'here' });
    await domain.users.create(other.accountId, { userName: 'there' });
    const here = await domain.accessKeys.create(accountId, 'here');
    const there = await domain.accessKeys.create(other.accountId, 'there');
    clock.advance(91 * DAY);
    expect(await domain.idleCredentials.disableIdle()).toMatchObject({ accessKeys: 1 });
    expect(await keyStatus('here', here.accessKeyId)).toBe('Active');
    expect(
      (await domain.accessKeys.list(other.accountId, 'there')).find(
        (k) => k.accessKeyId === there.accessKeyId,
      )?.status,
    ).toBe('Inactive');
  });
});
