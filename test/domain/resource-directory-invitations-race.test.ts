import { expect, it } from 'vitest';
import type { HandshakeStatus } from '../../src/domain/resource-directory-invitations.js';
import { ApiError } from '../../src/errors.js';
import { forEachBackend, type World } from './harness.js';

/**
 * AcceptHandshake racing CancelHandshake, DeclineHandshake or another AcceptHandshake of the
 * same invitation (and Cancel racing Decline), many rounds, with the two calls started in
 * alternating order. Exactly one call succeeds, the other gets HandshakeStatusMismatch naming
 * the status the winner left, and the invitation's final status agrees with membership: the
 * account is a member of the directory exactly when its invitation is Accepted.
 */
const ROUNDS = 15;

type Call = 'accept' | 'cancel' | 'decline';

/** The status each call leaves when it wins. */
const WINS: Record<Call, HandshakeStatus> = { accept: 'Accepted', cancel: 'Cancelled', decline: 'Declined' };

const RACES: readonly (readonly [Call, Call])[] = [
  ['accept', 'cancel'],
  ['accept', 'decline'],
  ['accept', 'accept'],
  ['cancel', 'decline'],
];

function outcome(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') return 'ok';
  if (r.reason instanceof ApiError) return r.reason.code;
  return `raw error: ${String((r.reason as Error)?.message ?? r.reason)}`;
}

forEachBackend('Resource Directory invitations under concurrent settlement', (w) => {
  for (const [first, second] of RACES) {
    it(`${first} racing ${second}: one succeeds, the other gets HandshakeStatusMismatch, status agrees with membership`, async () => {
      const world: World = w();
      const rd = world.domain.resourceDirectory;
      const master = world.accountId;
      const dir = await rd.enable(master);
      for (let round = 0; round < ROUNDS; round++) {
        const target = (await world.domain.accounts.create({ rootPassword: 'Race#Account-2026' })).accountId;
        const h = await rd.invite(master, { targetType: 'Account', targetEntity: target });
        const run = (c: Call) =>
          c === 'accept'
            ? rd.acceptHandshake(target, h.handshakeId)
            : c === 'decline'
              ? rd.declineHandshake(target, h.handshakeId)
              : rd.cancelHandshake(master, h.handshakeId);
        const calls: Call[] = round % 2 === 0 ? [first, second] : [second, first];
        const settled = await Promise.allSettled(calls.map(run));
        const outcomes = settled.map(outcome);
        const context = `round ${round}: ${calls.join(' vs ')} -> ${outcomes.join(', ')}`;

        expect(
          outcomes.filter((o) => o === 'ok'),
          context,
        ).toHaveLength(1);
        expect(
          outcomes.filter((o) => o === 'HandshakeStatusMismatch'),
          context,
        ).toHaveLength(1);
        const winner = calls[outcomes.indexOf('ok')]!;
        const won = (settled.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
          status: HandshakeStatus;
        }>)!.value;
        expect(won.status, context).toBe(WINS[winner]);
        const lost = (settled.find((r) => r.status === 'rejected') as PromiseRejectedResult)
          .reason as ApiError;
        expect(lost.status, context).toBe(409);
        expect(lost.message, context).toBe(
          `The invitation is no longer pending (its status is ${WINS[winner]}).`,
        );

        // The stored status is the winner's, and membership agrees with it.
        const stored = await rd.getHandshake(master, h.handshakeId);
        expect(stored.status, context).toBe(WINS[winner]);
        const member = await world.store.db
          .selectFrom('rd_accounts')
          .select(['directory_id', 'join_method'])
          .where('account_id', '=', target)
          .executeTakeFirst();
        if (WINS[winner] === 'Accepted') {
          expect(member, context).toEqual({ directory_id: dir.directoryId, join_method: 'invited' });
        } else {
          expect(member, context).toBeUndefined();
        }
      }
    });
  }
});
