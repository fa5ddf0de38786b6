/**
 * How long a refused console logon takes, over real HTTP on SQLite and PostgreSQL, at the
 * product's default password-hash cost (the rest of the suite hashes cheaply): a missing user,
 * a locked user, an unknown auxiliary domain and a wrong password each run one scrypt check, so
 * none is answered measurably faster than the others (docs/logon.md, no user enumeration).
 * The kinds are interleaved so that load on the machine falls on all of them alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imsCall, imsClient } from '../compat/ims-helpers.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import type { TestServer } from '../helpers/server.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const FAILED = { Code: 'AuthenticationFail.Logon' };
const ROUNDS = 7;

describe.each(STORES)('time of refused logons (%s)', (store) => {
  let s: InProcessServer;
  const alias = `timing-${store}`;
  const AUX = `timing-${store}.example.com`;
  const userLogin = (name: string) => `${name}@${alias}.onaliyun.com`;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias, defaultPasswordCost: true });
    const d = s.deployment.domain;
    for (const name of ['grace', 'heidi']) {
      await d.users.create(s.accountId, { userName: name });
      await d.loginProfiles.create(s.accountId, name, { password: 'Initial-pass1' });
    }
    const ims = imsClient({ host: s.host } as TestServer, {
      accessKeyId: s.rootAccessKeyId,
      accessKeySecret: s.rootAccessKeySecret,
    });
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  async function logon(loginName: string, password: string) {
    const t0 = performance.now();
    const r = await fetch(`${s.endpoint}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
      body: JSON.stringify({ LoginName: loginName, Password: password }),
    });
    const body = (await r.json()) as Record<string, unknown>;
    return { status: r.status, body, ms: performance.now() - t0 };
  }

  /** Median milliseconds of each kind's refusals, the kinds interleaved round by round. */
  async function medians<K extends string>(kinds: Record<K, [string, string]>): Promise<Record<K, number>> {
    const times = Object.fromEntries(Object.keys(kinds).map((k) => [k, [] as number[]])) as Record<
      K,
      number[]
    >;
    for (let i = 0; i < ROUNDS; i++) {
      for (const [kind, [name, password]] of Object.entries(kinds) as [K, [string, string]][]) {
        const r = await logon(name, password);
        expect(r.status, `${kind}: ${JSON.stringify(r.body)}`).toBe(401);
        expect(r.body).toMatchObject(FAILED);
        times[kind].push(r.ms);
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[ROUNDS >> 1]!;
    return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs as number[])])) as Record<
      K,
      number
    >;
  }

  it('refuses a missing user, a locked user and a wrong password in similar time', async () => {
    const d = s.deployment.domain;
    await d.passwordPolicy.set(s.accountId, { maxLoginAttemps: 1 });
    try {
      await logon(userLogin('heidi'), 'wrong-pass'); // locked now
      expect(await d.loginProfiles.verifyPassword(s.accountId, 'heidi', 'Initial-pass1')).toEqual({
        ok: false,
        reason: 'Locked',
      });
      // heidi stays locked for the hour; grace is never locked from now on.
      await d.passwordPolicy.set(s.accountId, { maxLoginAttemps: 0 });
      const t = await medians({
        locked: [userLogin('heidi'), 'Wrong-pass-1'],
        missing: [userLogin('no-such-user'), 'Wrong-pass-1'],
        wrong: [userLogin('grace'), 'Wrong-pass-1'],
      });
      for (const kind of ['locked', 'missing'] as const) {
        expect(t[kind] / t.wrong, JSON.stringify(t)).toBeGreaterThan(0.6);
        expect(t[kind] / t.wrong, JSON.stringify(t)).toBeLessThan(1.7);
      }
    } finally {
      await d.passwordPolicy.set(s.accountId, { maxLoginAttemps: 0 });
    }
  });

  it('refuses an unknown auxiliary domain, a missing user of a known one and a wrong password in similar time', async () => {
    const t = await medians({
      unknownDomain: [`grace@unknown-${store}.example.com`, 'Initial-pass1'],
      missing: [`nobody@${AUX}`, 'Initial-pass1'],
      wrong: [`grace@${AUX}`, 'Wrong-pass-1'],
    });
    for (const kind of ['unknownDomain', 'missing'] as const) {
      expect(t[kind] / t.wrong, JSON.stringify(t)).toBeGreaterThan(0.6);
      expect(t[kind] / t.wrong, JSON.stringify(t)).toBeLessThan(1.7);
    }
  });
});
