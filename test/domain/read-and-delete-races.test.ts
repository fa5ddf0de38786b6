import { expect, it } from 'vitest';
import { verifyPassword } from '../../src/crypto/password-hash.js';
import { ApiError } from '../../src/errors.js';
import { ALLOW_ALL, doc, forEachBackend } from './harness.js';

/**
 * The same delete sent many times at once succeeds once (one answer of success, one audit event
 * of it); two password changes at once both reach the history; and the reads of a policy and its versions see one state of it while its default
 * version is switched and the old one deleted, or the policy itself deleted: never a policy
 * without its default version, never an internal error.
 */
const ROUNDS = 8;
const AT_ONCE = 12;

function outcome(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') return 'ok';
  if (r.reason instanceof ApiError) return r.reason.code;
  return `raw error: ${String((r.reason as Error)?.message ?? r.reason)}`;
}

/** How many of each outcome. */
function tally(results: readonly PromiseSettledResult<unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[outcome(r)] = (out[outcome(r)] ?? 0) + 1;
  return out;
}

forEachBackend('the same delete many times at once', (w) => {
  it('DeleteLoginProfile succeeds once; the others find no profile', async () => {
    const { domain, accountId } = w();
    for (let round = 0; round < ROUNDS; round++) {
      const userName = `u${round}`;
      await domain.users.create(accountId, { userName });
      await domain.loginProfiles.create(accountId, userName, { password: 'Start-123' });
      const results = await Promise.allSettled(
        Array.from({ length: AT_ONCE }, () => domain.loginProfiles.delete(accountId, userName)),
      );
      expect({ round, outcomes: tally(results) }).toEqual({
        round,
        outcomes: { ok: 1, 'EntityNotExist.User.LoginProfile': AT_ONCE - 1 },
      });
    }
  });

  it('DeleteOIDCProvider succeeds once; the others find no provider', async () => {
    const { domain, accountId } = w();
    const providers = domain.federationProviders;
    for (let round = 0; round < ROUNDS; round++) {
      const name = `idp-${round}`;
      await providers.createOidc(accountId, {
        oidcProviderName: name,
        issuerUrl: `https://r${round}.example.com`,
      });
      const results = await Promise.allSettled(
        Array.from({ length: AT_ONCE }, () => providers.deleteOidc(accountId, name)),
      );
      expect({ round, outcomes: tally(results) }).toEqual({
        round,
        outcomes: { ok: 1, 'EntityNotExist.OIDCProvider': AT_ONCE - 1 },
      });
    }
  });
});

/**
 * Of two passwords set at once, whichever came second is the password now: whether the first
 * one's is the newest in the history.
 */
async function earlierKept(
  passwords: readonly [string, string],
  hash: string,
  historyJson: string,
): Promise<boolean> {
  const [b, c] = passwords;
  const first = (await verifyPassword(b, hash)) ? c : b;
  const history = JSON.parse(historyJson) as string[];
  return verifyPassword(first, history[0]!);
}

forEachBackend('two password changes at once', (w) => {
  it("the root's: the password one change replaced is in the history the other leaves", async () => {
    const { domain, store, accountId } = w();
    for (let round = 0; round < ROUNDS; round++) {
      const [b, c] = [`Second-${round}-b`, `Second-${round}-c`];
      await Promise.all([
        domain.accounts.setRootPassword(accountId, b),
        domain.accounts.setRootPassword(accountId, c),
      ]);
      const row = await store.db
        .selectFrom('accounts')
        .select(['root_password_hash', 'root_password_history'])
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      expect({
        round,
        kept: await earlierKept([b, c], row.root_password_hash, row.root_password_history),
      }).toEqual({
        round,
        kept: true,
      });
    }
  });

  it("a RAM user's, set by UpdateLoginProfile: the same", async () => {
    const { domain, store, accountId } = w();
    const user = await domain.users.create(accountId, { userName: 'pw' });
    await domain.loginProfiles.create(accountId, 'pw', { password: 'Start-123' });
    for (let round = 0; round < ROUNDS; round++) {
      const [b, c] = [`Second-${round}-b`, `Second-${round}-c`];
      await Promise.all([
        domain.loginProfiles.update(accountId, 'pw', { password: b }),
        domain.loginProfiles.update(accountId, 'pw', { password: c }),
      ]);
      const row = await store.db
        .selectFrom('login_profiles')
        .select(['password_hash', 'password_history'])
        .where('account_id', '=', accountId)
        .where('user_id', '=', user.userId)
        .executeTakeFirstOrThrow();
      expect({ round, kept: await earlierKept([b, c], row.password_hash, row.password_history) }).toEqual({
        round,
        kept: true,
      });
    }
  });
});

forEachBackend('reading a policy while it changes', (w) => {
  it('GetPolicy, GetPolicyVersion and ListPolicyVersions see one state of the policy', async () => {
    const { domain, accountId } = w();
    const policies = domain.policies;
    const seen: Record<string, number> = {};
    const count = (what: string) => (seen[what] = (seen[what] ?? 0) + 1);
    for (let round = 0; round < ROUNDS; round++) {
      const policyName = `p${round}`;
      await policies.create(accountId, { policyName, policyDocument: ALLOW_ALL });
      // Readers run while v2 becomes the default and v1 is deleted, then while the policy goes.
      const reads = (): Promise<unknown>[] =>
        Array.from({ length: 6 }, (_, i) =>
          i % 3 === 0
            ? policies.get(accountId, 'Custom', policyName).then((p) => {
                expect(p.defaultPolicyVersion.versionId).toBe(p.policy.defaultVersion);
                expect(p.defaultPolicyVersion.isDefaultVersion).toBe(true);
              })
            : i % 3 === 1
              ? policies.listVersions(accountId, 'Custom', policyName).then((vs) => {
                  expect(vs.filter((v) => v.isDefaultVersion)).toHaveLength(1);
                })
              : policies.getVersion(accountId, 'Custom', policyName, 'v2').then(
                  (v) => v,
                  (e: unknown) => {
                    // v2 is created below: before that it does not exist yet.
                    if (!(e instanceof ApiError && e.code === 'EntityNotExist.Policy.Version')) throw e;
                  },
                ),
        );
      const switching = Promise.allSettled([
        ...reads(),
        policies
          .createVersion(accountId, policyName, { policyDocument: doc('ecs:*'), setAsDefault: true })
          .then(() => policies.deleteVersion(accountId, policyName, 'v1')),
        ...reads(),
      ]);
      for (const r of await switching) {
        expect({ round, outcome: outcome(r) }).toEqual({ round, outcome: 'ok' });
        count('ok');
      }
      const deleting = await Promise.allSettled([
        ...reads(),
        policies.delete(accountId, policyName),
        ...reads(),
      ]);
      for (const r of deleting) {
        const o = outcome(r);
        expect({ round, ok: o === 'ok' || o === 'EntityNotExist.Policy' }).toEqual({ round, ok: true });
        count(o);
      }
    }
    // The policy was deleted under some of the reads, and read whole by others.
    expect(seen.ok).toBeGreaterThan(0);
  });
});
