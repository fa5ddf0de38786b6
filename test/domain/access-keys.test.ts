import { expect, it } from 'vitest';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('access keys', (w) => {
  it('creates keys in the service format and shows the secret only once', async () => {
    const { domain, accountId, store } = w();
    await domain.users.create(accountId, { userName: 'u' });
    const k = await domain.accessKeys.create(accountId, 'U');
    expect(k.accessKeyId).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    expect(k.accessKeySecret).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(k).toMatchObject({ status: 'Active', createDate: '2026-01-15T10:00:00Z', userName: 'u' });
    const listed = await domain.accessKeys.list(accountId, 'u');
    expect(listed).toEqual([
      {
        accessKeyId: k.accessKeyId,
        status: 'Active',
        createDate: k.createDate,
        userName: 'u',
        userId: k.userId,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(k.accessKeySecret);
    // Sealed at rest: the stored value does not contain the secret.
    const row = await store.db
      .selectFrom('access_keys')
      .select('secret_sealed')
      .where('access_key_id', '=', k.accessKeyId)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(k.accessKeySecret);
  });

  it('allows at most two keys per user', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.accessKeys.create(accountId, 'u');
    await domain.accessKeys.create(accountId, 'u');
    await expectApiError(
      domain.accessKeys.create(accountId, 'u'),
      'LimitExceeded.User.AccessKey',
      'The count of access keys of the user beyond the current limits: 2.',
    );
    expect(await domain.accessKeys.list(accountId, 'u')).toHaveLength(2);
  });

  it('disables, enables and deletes a key; unknown ones are EntityNotExist', async () => {
    const { domain, accountId, services } = w();
    await domain.users.create(accountId, { userName: 'u' });
    await domain.users.create(accountId, { userName: 'v' });
    const k = await domain.accessKeys.create(accountId, 'u');
    const v0 = await services.policies.permissionsVersion(accountId);
    await domain.accessKeys.updateStatus(accountId, 'u', k.accessKeyId, 'Inactive');
    expect((await domain.accessKeys.list(accountId, 'u'))[0]!.status).toBe('Inactive');
    expect((await services.credentials.findSigningKey(k.accessKeyId))?.status).toBe('Inactive');
    expect(await services.policies.permissionsVersion(accountId)).toBeGreaterThan(v0);
    await domain.accessKeys.updateStatus(accountId, 'u', k.accessKeyId, 'Active');
    await expectApiError(
      domain.accessKeys.updateStatus(accountId, 'v', k.accessKeyId, 'Inactive'),
      'EntityNotExist.User.AccessKey',
      `The access key does not exist: ${k.accessKeyId}.`,
    );
    await expectApiError(
      domain.accessKeys.updateStatus(accountId, 'u', k.accessKeyId, 'Bogus' as 'Active'),
      'InvalidParameter',
    );
    await expectApiError(domain.accessKeys.delete(accountId, 'nobody', k.accessKeyId), 'EntityNotExist.User');
    await domain.accessKeys.delete(accountId, 'u', k.accessKeyId);
    expect(await domain.accessKeys.list(accountId, 'u')).toEqual([]);
    expect(await services.credentials.findSigningKey(k.accessKeyId)).toBeUndefined();
    await expectApiError(
      domain.accessKeys.delete(accountId, 'u', k.accessKeyId),
      'EntityNotExist.User.AccessKey',
    );
  });

  it('finds signing keys of users and of the root with the secret unsealed', async () => {
    const { domain, accountId, services } = w();
    const user = await domain.users.create(accountId, { userName: 'signer' });
    const k = await domain.accessKeys.create(accountId, 'signer');
    expect(await services.credentials.findSigningKey(k.accessKeyId)).toEqual({
      accessKeyId: k.accessKeyId,
      secret: k.accessKeySecret,
      status: 'Active',
      principal: {
        type: 'RAMUser',
        accountId,
        userId: user.userId,
        userName: 'signer',
        accessKeyId: k.accessKeyId,
      },
      permissionsVersion: await domain.accounts.permissionsVersion(accountId),
    });
    const root = await domain.accounts.createRootAccessKey(accountId);
    expect(await services.credentials.findSigningKey(root.accessKeyId)).toEqual({
      accessKeyId: root.accessKeyId,
      secret: root.accessKeySecret,
      status: 'Active',
      principal: { type: 'Root', accountId, accessKeyId: root.accessKeyId },
      permissionsVersion: await domain.accounts.permissionsVersion(accountId),
    });
    expect(await domain.accessKeys.listRoot(accountId)).toHaveLength(1);
    await domain.accounts.createRootAccessKey(accountId);
    await expectApiError(domain.accounts.createRootAccessKey(accountId), 'LimitExceeded.User.AccessKey');
    await domain.accessKeys.updateRootStatus(accountId, root.accessKeyId, 'Inactive');
    expect((await services.credentials.findSigningKey(root.accessKeyId))?.status).toBe('Inactive');
    await domain.accessKeys.deleteRoot(accountId, root.accessKeyId);
    expect(await services.credentials.findSigningKey(root.accessKeyId)).toBeUndefined();
    expect(await services.credentials.findSigningKey('LTAInonexistent0000000000')).toBeUndefined();
  });

  it('follows a renamed user', async () => {
    const { domain, accountId, services } = w();
    await domain.users.create(accountId, { userName: 'old' });
    const k = await domain.accessKeys.create(accountId, 'old');
    await domain.users.update(accountId, 'old', { newUserName: 'new' });
    const found = await services.credentials.findSigningKey(k.accessKeyId);
    expect(found?.principal).toMatchObject({ type: 'RAMUser', userName: 'new' });
    expect(await domain.accessKeys.list(accountId, 'new')).toHaveLength(1);
  });

  it('records the last use at most once a minute, only forward', async () => {
    const { domain, accountId } = w();
    await domain.users.create(accountId, { userName: 'u' });
    const k = await domain.accessKeys.create(accountId, 'u');
    expect(await domain.accessKeys.getLastUsed(accountId, 'u', k.accessKeyId)).toEqual({});
    await domain.accessKeys.recordUse(k.accessKeyId, new Date('2026-01-15T11:00:00Z'));
    expect(await domain.accessKeys.getLastUsed(accountId, 'u', k.accessKeyId)).toEqual({
      lastUsedDate: '2026-01-15T11:00:00Z',
    });
    // Within the minute: skipped.
    await domain.accessKeys.recordUse(k.accessKeyId, new Date('2026-01-15T11:00:30Z'));
    expect((await domain.accessKeys.getLastUsed(accountId, 'u', k.accessKeyId)).lastUsedDate).toBe(
      '2026-01-15T11:00:00Z',
    );
    await domain.accessKeys.recordUse(k.accessKeyId, new Date('2026-01-15T11:02:00Z'));
    expect((await domain.accessKeys.getLastUsed(accountId, 'u', k.accessKeyId)).lastUsedDate).toBe(
      '2026-01-15T11:02:00Z',
    );
    await domain.accessKeys.recordUse('LTAIunknown', new Date());
    await expectApiError(
      domain.accessKeys.getLastUsed(accountId, 'u', 'LTAIunknown'),
      'EntityNotExist.User.AccessKey',
    );
  });

  it('records the last use of root keys; a user key is not a root key', async () => {
    const { domain, accountId } = w();
    const root = await domain.accounts.createRootAccessKey(accountId);
    expect(await domain.accessKeys.getRootLastUsed(accountId, root.accessKeyId)).toEqual({});
    await domain.accessKeys.recordUse(root.accessKeyId, new Date('2026-02-01T08:00:00Z'));
    expect(await domain.accessKeys.getRootLastUsed(accountId, root.accessKeyId)).toEqual({
      lastUsedDate: '2026-02-01T08:00:00Z',
    });
    await domain.users.create(accountId, { userName: 'owner' });
    const userKey = await domain.accessKeys.create(accountId, 'owner');
    await expectApiError(
      domain.accessKeys.getRootLastUsed(accountId, userKey.accessKeyId),
      'EntityNotExist.User.AccessKey',
    );
  });

  it('finds no signing key once its owner is gone', async () => {
    const { domain, accountId, services, store } = w();
    const u = await domain.users.create(accountId, { userName: 'gone' });
    const k = await domain.accessKeys.create(accountId, 'gone');
    // The domain refuses to delete a user with keys; remove the row behind its back.
    await store.db
      .deleteFrom('users')
      .where('account_id', '=', accountId)
      .where('user_id', '=', u.userId)
      .execute();
    expect(await services.credentials.findSigningKey(k.accessKeyId)).toBeUndefined();
  });

  it.each(['user', 'root'] as const)(
    'keeps the two-key quota of a %s under parallel creates',
    async (owner) => {
      const { domain, accountId } = w();
      await domain.users.create(accountId, { userName: 'u' });
      const create = () =>
        owner === 'user'
          ? domain.accessKeys.create(accountId, 'u')
          : domain.accounts.createRootAccessKey(accountId);
      const results = await Promise.allSettled(Array.from({ length: 8 }, create));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      for (const r of results) {
        if (r.status === 'rejected')
          expect((r.reason as { code: string }).code).toBe('LimitExceeded.User.AccessKey');
      }
      const keys =
        owner === 'user'
          ? await domain.accessKeys.list(accountId, 'u')
          : await domain.accessKeys.listRoot(accountId);
      expect(keys).toHaveLength(2);
    },
  );
});
