import { expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import type { Domain } from '../../src/domain/index.js';
import { ApiError } from '../../src/errors.js';
import { ALLOW_ALL, forEachBackend, type World } from './harness.js';

/**
 * DeleteUser racing the creation of each kind of child of the user (AccessKey, login profile,
 * MFA binding, group membership, policy attachment), many rounds, with the two calls started
 * in varying order and distance. Every answer is a success or the documented code, and no
 * child row ever outlives its user.
 */
const ROUNDS = 30;

/** Each kind of child: how to create it for a user, and the DeleteConflict it causes. */
const CHILDREN: readonly (readonly [
  kind: string,
  create: (w: World, userName: string, round: number) => Promise<() => Promise<unknown>>,
  conflict: string,
])[] = [
  [
    'AccessKey',
    async (w, u) => () => w.domain.accessKeys.create(w.accountId, u),
    'DeleteConflict.User.AccessKey',
  ],
  [
    'login profile',
    async (w, u) => () => w.domain.loginProfiles.create(w.accountId, u, { password: 'Start-123' }),
    'DeleteConflict.User.LoginProfile',
  ],
  [
    'MFA binding',
    async (w, u, round) => {
      const device = await w.domain.mfa.createVirtual(w.accountId, `d${round}`);
      const t = totpStep(w.clock.now);
      const [c1, c2] = [totpCode(device.base32StringSeed, t - 1), totpCode(device.base32StringSeed, t)];
      return () => w.domain.mfa.bind(w.accountId, u, device.serialNumber, c1, c2);
    },
    'DeleteConflict.User.MFADevice',
  ],
  [
    'group membership',
    async (w, u) => () => w.domain.groups.addUser(w.accountId, 'g', u),
    'DeleteConflict.User.Group',
  ],
  [
    'policy attachment',
    async (w, u) => () =>
      w.domain.attachments.attach(w.accountId, { kind: 'user', userName: u }, 'Custom', 'p'),
    'DeleteConflict.User.Policy',
  ],
];

function outcome(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') return 'ok';
  if (r.reason instanceof ApiError) return r.reason.code;
  return `raw error: ${String((r.reason as Error)?.message ?? r.reason)}`;
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows of every child table that belong to the user id. */
async function childRows(w: World, userId: string): Promise<Record<string, number>> {
  const { store, accountId } = w;
  const out: Record<string, number> = {};
  for (const table of ['access_keys', 'login_profiles', 'mfa_devices', 'group_members'] as const) {
    const rows = await store.db
      .selectFrom(table)
      .select('account_id')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .execute();
    out[table] = rows.length;
  }
  const attached = await store.db
    .selectFrom('attachments')
    .select('account_id')
    .where('account_id', '=', accountId)
    .where('principal_type', '=', 'user')
    .where('principal_id', '=', userId)
    .execute();
  out.attachments = attached.length;
  return out;
}

async function userExists(domain: Domain, accountId: string, userName: string): Promise<boolean> {
  return domain.users.get(accountId, userName).then(
    () => true,
    () => false,
  );
}

forEachBackend('deleting a user while its children are created', (w) => {
  it.each(CHILDREN)(
    `DeleteUser racing the creation of its %s: no orphan row, only documented answers (${ROUNDS} rounds)`,
    async (_kind, prepare, conflict) => {
      const world = w();
      const { domain, accountId } = world;
      await domain.groups.create(accountId, { groupName: 'g' });
      await domain.policies.create(accountId, { policyName: 'p', policyDocument: ALLOW_ALL });
      const none = { access_keys: 0, login_profiles: 0, mfa_devices: 0, group_members: 0, attachments: 0 };
      const tally = { deleted: 0, refused: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const userName = `u${round}`;
        const user = await domain.users.create(accountId, { userName });
        const create = await prepare(world, userName, round);
        // Alternate which call starts first, and how far apart (0..2 ms).
        const gap = round % 3;
        const [createdR, deletedR] = await Promise.allSettled(
          round % 2 === 0
            ? [create(), later(gap).then(() => domain.users.delete(accountId, userName))]
            : [later(gap).then(create), domain.users.delete(accountId, userName)],
        );
        const created = outcome(createdR!);
        const deleted = outcome(deletedR!);
        if (await userExists(domain, accountId, userName)) {
          // The delete lost: the child exists and the delete names it.
          tally.refused++;
          expect({ round, created, deleted }).toEqual({ round, created: 'ok', deleted: conflict });
        } else {
          // The delete won: the create found no user, and nothing of the user remains.
          tally.deleted++;
          expect({ round, created, deleted }).toEqual({
            round,
            created: 'EntityNotExist.User',
            deleted: 'ok',
          });
          expect({ round, rows: await childRows(world, user.userId) }).toEqual({ round, rows: none });
        }
      }
      expect(tally.deleted + tally.refused).toBe(ROUNDS);
    },
  );
});
