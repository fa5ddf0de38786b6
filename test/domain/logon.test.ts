import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import {
  ADDRESS_FAILURE_LIMIT,
  NAME_FAILURE_LIMIT,
  STEP_TTL_MS,
  THROTTLE_WINDOW_MS,
} from '../../src/domain/logon.js';
import type { LogonOutcome } from '../../src/domain/index.js';
import { createDomain } from '../../src/domain/create.js';
import { expectApiError, forEachBackend } from './harness.js';

/** The code of a logon's answer: 'Session', the step, or the error code. */
async function outcome(p: Promise<LogonOutcome>): Promise<string> {
  try {
    const o = await p;
    return o.kind === 'Step' ? o.step : o.kind;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

describe('logon rules', () => {
  forEachBackend('logon', (w) => {
    const login = (name: string) => `${name}@${w().accountId}.onaliyun.com`;
    const start = (name: string, password: string, sourceIp = '192.0.2.1') =>
      w().domain.logon.start({ loginName: login(name), password, sourceIp });
    const user = async (name: string, password = 'Right-pass1') => {
      await w().domain.users.create(w().accountId, { userName: name });
      await w().domain.loginProfiles.create(w().accountId, name, { password });
    };

    it('slows guesses at one name from many addresses: past the limit, Throttling.User from any address', async () => {
      await user('u');
      for (let i = 0; i < NAME_FAILURE_LIMIT; i++) {
        expect(await outcome(start('u', `wrong-${i}`, `198.51.100.${i + 1}`))).toBe(
          'AuthenticationFail.Logon',
        );
      }
      expect(await outcome(start('u', 'Right-pass1', '203.0.113.9'))).toBe('Throttling.User');
      // Names are counted ignoring case.
      expect(await outcome(start('U', 'Right-pass1', '203.0.113.10'))).toBe('Throttling.User');
      // Another name from the same addresses is not slowed.
      await user('v');
      expect(await outcome(start('v', 'Right-pass1', '198.51.100.1'))).toBe('Session');
      w().clock.advance(THROTTLE_WINDOW_MS + 1000);
      expect(await outcome(start('u', 'Right-pass1', '203.0.113.9'))).toBe('Session');
    });

    it('slows guesses at many names from one address, existing or not; other addresses are not slowed', async () => {
      await user('real');
      for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) {
        expect(await outcome(start(`name-${i}`, 'wrong-pass', '192.0.2.77'))).toBe(
          'AuthenticationFail.Logon',
        );
      }
      const slowed = await start('real', 'Right-pass1', '192.0.2.77').catch((e: unknown) => e);
      expect(slowed).toBeInstanceOf(ApiError);
      expect((slowed as ApiError).code).toBe('Throttling.User');
      expect((slowed as ApiError).message).toMatch(/try again in (\d+) seconds/);
      expect(await outcome(start('real', 'Right-pass1', '192.0.2.78'))).toBe('Session');
    });

    it('counts a parallel burst exactly: never more password checks than the limit', async () => {
      await user('burst');
      const answers = await Promise.all(
        Array.from({ length: NAME_FAILURE_LIMIT + 15 }, (_, i) =>
          outcome(start('burst', `wrong-${i}`, `198.51.100.${i + 1}`)),
        ),
      );
      const tally = answers.reduce<Record<string, number>>((t, a) => ({ ...t, [a]: (t[a] ?? 0) + 1 }), {});
      expect(tally).toEqual({ 'AuthenticationFail.Logon': NAME_FAILURE_LIMIT, 'Throttling.User': 15 });
    });

    it('does not count right passwords against the address or the name', async () => {
      await user('regular');
      for (let i = 0; i < NAME_FAILURE_LIMIT + 5; i++) {
        expect(await outcome(start('regular', 'Right-pass1'))).toBe('Session');
      }
    });

    it('resolves sessions: principal, MFA presence and expiry; ended by logoff; ids are opaque', async () => {
      await user('s');
      const o = await w().domain.logon.start({
        loginName: login('s'),
        password: 'Right-pass1',
        sourceIp: '::1',
      });
      if (o.kind !== 'Session') throw new Error('expected a session');
      const resolved = await w().domain.sessions.resolve(o.sessionId);
      expect(resolved).toMatchObject({
        principal: { type: 'RAMUser', accountId: w().accountId, userName: 's' },
        mfaPresent: false,
        sourceIp: '::1',
      });
      expect(resolved!.expiresAt.getTime() - w().clock.now.getTime()).toBe(6 * 3600_000);
      for (const forged of ['', 'x', o.sessionId.slice(1), `${o.sessionId}=`, o.sessionId.toUpperCase()]) {
        expect(await w().domain.sessions.resolve(forged)).toBeUndefined();
      }
      expect(await w().domain.sessions.end(o.sessionId)).toBe(true);
      expect(await w().domain.sessions.resolve(o.sessionId)).toBeUndefined();
      expect(await w().domain.sessions.end(o.sessionId)).toBe(false);
    });

    it('expires step tokens after their lifetime and refuses a token of another step', async () => {
      await w().domain.users.create(w().accountId, { userName: 'r' });
      await w().domain.loginProfiles.create(w().accountId, 'r', {
        password: 'Right-pass1',
        passwordResetRequired: true,
      });
      const first = await start('r', 'Right-pass1');
      if (first.kind !== 'Step') throw new Error('expected a step');
      await expectApiError(
        w().domain.logon.completeMfa(first.stepToken, '123456', '::1'),
        'InvalidStepToken',
      );
      const second = await start('r', 'Right-pass1');
      if (second.kind !== 'Step') throw new Error('expected a step');
      w().clock.advance(STEP_TTL_MS + 1);
      await expectApiError(
        w().domain.logon.changePassword(second.stepToken, 'Next-pass22', '::1'),
        'InvalidStepToken',
      );
      expect((await w().domain.loginProfiles.verifyPassword(w().accountId, 'r', 'Right-pass1')).ok).toBe(
        true,
      );
    });

    it('holds the root password to the password policy and its history, listing every unmet rule', async () => {
      const { domain, accountId } = w();
      await domain.passwordPolicy.set(accountId, {
        minimumPasswordLength: 12,
        requireUppercaseCharacters: true,
        requireSymbols: true,
        passwordReusePrevention: 3,
      });
      await expectApiError(
        domain.accounts.setRootPassword(accountId, 'lowercase1'),
        'InvalidParameter.Password.TooWeak',
        'The parameter - "Password" is not compliant with the password policy. It needs: at least 12 characters; an uppercase letter; a symbol.',
      );
      await domain.accounts.setRootPassword(accountId, 'Root-Second-22');
      await expectApiError(
        domain.accounts.changeRootPassword(accountId, 'Root-Second-22', 'root-password-1'),
        'InvalidParameter.NewPassword.TooWeak',
      );
      // The first password and the current one are both among the last 3.
      await expectApiError(
        domain.accounts.setRootPassword(accountId, 'Root-Second-22'),
        'InvalidParameter.Password.ReusePrevention',
      );
      await domain.accounts.changeRootPassword(accountId, 'Root-Second-22', 'Root-Third-333');
      await expectApiError(
        domain.accounts.changeRootPassword(accountId, 'Root-Third-333', 'Root-Second-22'),
        'InvalidParameter.NewPassword.ReusePrevention',
        'The parameter - "NewPassword" must not be one of the last 3 passwords.',
      );
      expect(await domain.accounts.verifyRootPassword(accountId, 'Root-Third-333')).toBe(true);
    });

    it('shares sessions, lock-outs and counters between nodes on one store', async () => {
      const { domain, accountId, store, sealer, clock } = w();
      const other = createDomain(store, { sealer, clock: clock.fn, scrypt: { logN: 10, r: 8, p: 1 } });
      await domain.passwordPolicy.set(accountId, { maxLoginAttemps: 2 });
      await user('shared');
      // One failure on each node: locked on both.
      expect(await outcome(start('shared', 'wrong-1'))).toBe('AuthenticationFail.Logon');
      expect(
        await outcome(
          other.logon.start({ loginName: login('shared'), password: 'wrong-2', sourceIp: '192.0.2.1' }),
        ),
      ).toBe('AuthenticationFail.Logon');
      expect(await outcome(start('shared', 'Right-pass1'))).toBe('AuthenticationFail.Logon');
      w().clock.advance(61 * 60_000);
      const o = await start('shared', 'Right-pass1');
      if (o.kind !== 'Session') throw new Error('expected a session');
      expect((await other.sessions.resolve(o.sessionId))?.principal).toMatchObject({ userName: 'shared' });
      expect(await other.sessions.end(o.sessionId)).toBe(true);
      expect(await domain.sessions.resolve(o.sessionId)).toBeUndefined();
    });

    it('refuses a reused password in UpdateLoginProfile too', async () => {
      const { domain, accountId } = w();
      await domain.passwordPolicy.set(accountId, { passwordReusePrevention: 2 });
      await user('h', 'First-pass1');
      await domain.loginProfiles.update(accountId, 'h', { password: 'Second-pass2' });
      await expectApiError(
        domain.loginProfiles.update(accountId, 'h', { password: 'First-pass1' }),
        'InvalidParameter.Password.ReusePrevention',
      );
      await domain.loginProfiles.update(accountId, 'h', { password: 'Third-pass3' });
      // First-pass1 is now three passwords back.
      await domain.loginProfiles.update(accountId, 'h', { password: 'First-pass1' });
    });
  });
});
