import { sql } from 'kysely';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { ApiError, apiErrorWithStatus } from '../errors.js';
import type {
  LogonDomain,
  LogonOutcome,
  LogonStep,
  SessionPrincipal,
  SessionsDomain,
  AccountsDomain,
  LoginProfilesDomain,
  MfaDomain,
  SecurityPreferenceDomain,
  WebAuthnDomain,
  WebAuthnOwner,
} from './index.js';
import type { DomainContext } from './context.js';
import { err } from './messages.js';
import { nameKey } from './common.js';
import { isEntityName } from './names.js';
import { asciiLowerCase } from '../text.js';
import { readSecurityPreference } from './security-preference.js';
import { hashOfOpaqueId, newOpaqueId } from './sessions.js';
import { passwordStamp, spendPasswordCheck } from './logon-attempts.js';
import { createMfaTickets } from './mfa-tickets.js';
import type { SsoSettingsDomain } from './sso-settings.js';

/** How long a step token lives. */
export const STEP_TTL_MS = 5 * 60 * 1000;
/** The window of the failed-logon counters per address and per login name. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** Failed logons in a window after which an address gets Throttling.User until the window ends. */
export const ADDRESS_FAILURE_LIMIT = 50;
/** Failed logons in a window after which a login name gets Throttling.User until the window ends. */
export const NAME_FAILURE_LIMIT = 20;

const DEFAULT_DOMAIN_SUFFIX = '.onaliyun.com';
const MAX_LOGIN_NAME = 256;
const MAX_PASSWORD = 1024;

interface StepState {
  /** The steps after this one. */
  readonly rest: readonly LogonStep[];
  readonly mfaPresent: boolean;
  /** BindMFA: the serial number of the device created for binding. */
  readonly device?: string;
  /** 'session': a step started from a session; completing it ends in Done, not a new session. */
  readonly purpose: 'logon' | 'session';
  /** The MFA step was passed and the user asked to remember it (EnableSaveMFATicket): a ticket comes with the session. */
  readonly rememberMfa?: boolean;
  /** The MFA step was skipped for a valid remembered-MFA ticket. */
  readonly mfaRemembered?: boolean;
  /**
   * The stamp (passwordStamp) of the password the step was issued under; a step whose
   * principal's password changed since, or stored without one, is dead.
   */
  readonly stamp?: string;
}

interface StepRow {
  token_hash: string;
  account_id: string;
  principal_type: string;
  user_id: string | null;
  step: string;
  state: string;
  source_ip: string;
  expires_at: string;
}

type Parts = {
  accounts: AccountsDomain;
  loginProfiles: LoginProfilesDomain;
  mfa: MfaDomain;
  securityPreference: SecurityPreferenceDomain;
  sessions: SessionsDomain;
  ssoSettings: Pick<SsoSettingsDomain, 'accountOfAuxiliaryDomain'>;
  webauthn: WebAuthnDomain;
};

/** User-based SSO is on: the account's RAM users log on through the identity provider only. */
const passwordLogonOff = (): ApiError =>
  apiErrorWithStatus(
    'PasswordLogonDisabled.SsoEnabled',
    403,
    'RAM users of this account log on through single sign-on; password logon is off.',
  );

/** A role session (role-based SSO) has no password and no MFA device of its own. */
export const roleSessionRefused = (): ApiError =>
  apiErrorWithStatus(
    'NotSupported.RoleSession',
    400,
    'A role session has no password or MFA device of its own.',
  );

export function createLogon(ctx: DomainContext, parts: Parts): LogonDomain {
  const { store } = ctx;
  const tickets = createMfaTickets(ctx);

  // --- failed-logon counters (per address, per login name), shared by every node ---------

  /**
   * Counts one try against the address and the name, in one atomic upsert each, before the
   * password is checked; a right password gives it back (refund). A counter past its limit
   * answers Throttling.User until its window ends.
   */
  async function claimTry(sourceIp: string, nameSubject: string): Promise<void> {
    const now = ctx.clock();
    const claims = [
      ['ip', sourceIp, ADDRESS_FAILURE_LIMIT],
      ['name', nameSubject, NAME_FAILURE_LIMIT],
    ] as const;
    let retryAfter = 0;
    for (const [scope, subject, limit] of claims) {
      const r = await count(scope, subject, now);
      if (r.failures > limit) {
        const ends = Date.parse(r.windowStart) + THROTTLE_WINDOW_MS;
        retryAfter = Math.max(retryAfter, Math.ceil((ends - now.getTime()) / 1000));
      }
    }
    if (retryAfter > 0) throw err.logonThrottled(retryAfter);
  }

  async function count(
    scope: string,
    subject: string,
    now: Date,
  ): Promise<{ failures: number; windowStart: string }> {
    const nowText = now.toISOString();
    const cutoff = new Date(now.getTime() - THROTTLE_WINDOW_MS).toISOString();
    const r = await store.transaction((tx) =>
      sql<{
        failures: number;
        window_start: string;
      }>`insert into logon_throttle (scope, subject, window_start, failures)
        values (${scope}, ${subject}, ${nowText}, 1)
        on conflict (scope, subject) do update set
          failures = case when logon_throttle.window_start <= ${cutoff} then 1 else logon_throttle.failures + 1 end,
          window_start = case when logon_throttle.window_start <= ${cutoff} then ${nowText} else logon_throttle.window_start end
        returning failures, window_start`.execute(tx),
    );
    const row = r.rows[0]!;
    return { failures: Number(row.failures), windowStart: row.window_start };
  }

  async function refundTry(sourceIp: string, nameSubject: string): Promise<void> {
    await store.transaction(async (tx) => {
      for (const [scope, subject] of [
        ['ip', sourceIp],
        ['name', nameSubject],
      ] as const) {
        await tx
          .updateTable('logon_throttle')
          .set({ failures: sql<number>`failures - 1` })
          .where('scope', '=', scope)
          .where('subject', '=', subject)
          .where('failures', '>', 0)
          .execute();
      }
    });
  }

  /** Whether the account's user-based SSO is on (IMS SetUserSsoSettings SsoEnabled). */
  async function userSsoEnabled(accountId: string): Promise<boolean> {
    const row = await store.db
      .selectFrom('accounts')
      .select('user_sso_settings')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!row?.user_sso_settings) return false;
    return (JSON.parse(row.user_sso_settings) as { ssoEnabled?: boolean }).ssoEnabled === true;
  }

  const ownerOf = (p: SessionPrincipal): WebAuthnOwner =>
    p.type === 'Root' ? { accountId: p.accountId } : { accountId: p.accountId, userId: p.userId };

  const nameSubjectOf = (p: SessionPrincipal): string =>
    p.type === 'Root' ? `root@${p.accountId}` : `${nameKey(p.userName)}@${p.accountId}`;

  // --- steps ------------------------------------------------------------------------------

  async function issueStep(
    principal: SessionPrincipal,
    step: LogonStep,
    state: StepState,
    sourceIp: string,
  ): Promise<{ stepToken: string; expiresAt: Date }> {
    const { id, hash } = newOpaqueId();
    const expiresAt = new Date(ctx.clock().getTime() + STEP_TTL_MS);
    await store.db
      .insertInto('logon_steps')
      .values({
        token_hash: hash,
        account_id: principal.accountId,
        principal_type: principal.type,
        user_id: principal.type === 'RAMUser' ? principal.userId : null,
        step,
        state: JSON.stringify(state),
        source_ip: sourceIp,
        expires_at: expiresAt.toISOString(),
      })
      .execute();
    return { stepToken: id, expiresAt };
  }

  /**
   * Takes a step token: deleted in the same statement that reads it, so it is used once even
   * by parallel calls on several nodes. Unknown, expired or another step: InvalidStepToken.
   */
  async function takeStep(stepToken: string, step: LogonStep): Promise<StepRow> {
    const hash = hashOfOpaqueId(stepToken);
    if (!hash) throw err.stepTokenInvalid();
    const row = await store.db
      .deleteFrom('logon_steps')
      .where('token_hash', '=', hash)
      .returningAll()
      .executeTakeFirst();
    if (!row || row.step !== step || Date.parse(row.expires_at) <= ctx.clock().getTime()) {
      throw err.stepTokenInvalid();
    }
    return row;
  }

  /** Puts a taken step back (its input was refused: the user may try again until it expires). */
  async function restoreStep(row: StepRow): Promise<void> {
    await store.db.insertInto('logon_steps').values(row).execute();
  }

  /** The principal of a step, as stored now; a user deleted meanwhile: InvalidStepToken. */
  async function principalOf(row: StepRow): Promise<SessionPrincipal> {
    if (row.principal_type === 'Root') return { type: 'Root', accountId: row.account_id };
    const user = await store.db
      .selectFrom('users')
      .select(['user_id', 'user_name'])
      .where('account_id', '=', row.account_id)
      .where('user_id', '=', row.user_id ?? '')
      .executeTakeFirst();
    if (!user) throw err.stepTokenInvalid();
    return { type: 'RAMUser', accountId: row.account_id, userId: user.user_id, userName: user.user_name };
  }

  /**
   * The stamp of the principal's password as stored now (passwordStamp); undefined when a RAM
   * user's login profile is gone or Inactive, or the account is gone.
   */
  async function currentStamp(principal: SessionPrincipal): Promise<string | undefined> {
    if (principal.type === 'Root') {
      const account = await store.db
        .selectFrom('accounts')
        .select('root_password_hash')
        .where('account_id', '=', principal.accountId)
        .executeTakeFirst();
      return account ? passwordStamp(account.root_password_hash) : undefined;
    }
    const profile = await store.db
      .selectFrom('login_profiles')
      .select(['password_hash', 'status'])
      .where('account_id', '=', principal.accountId)
      .where('user_id', '=', principal.userId)
      .executeTakeFirst();
    return profile?.status === 'Active' ? passwordStamp(profile.password_hash) : undefined;
  }

  /** Whether the principal's password is still the one stamped, on an Active login profile. */
  async function stampHolds(principal: SessionPrincipal, stamp: string | undefined): Promise<boolean> {
    const now = await currentStamp(principal);
    return now !== undefined && stamp !== undefined && constantTimeEqual(now, stamp);
  }

  /**
   * A taken step, still good: its user exists, its password is the one the step was issued
   * under (not changed or reset since) and a RAM user's login profile is present and Active,
   * else InvalidStepToken, as for an expired token. The steps of a RAM user's logon are bound
   * by LoginNetworkMasks like its password step (Forbidden.LoginNetwork), and refused once
   * user-based SSO is on like the password step (PasswordLogonDisabled.SsoEnabled: a step
   * issued before SSO was turned on ends in no session); `sourceIp` undefined: a look at the
   * step that completes nothing.
   */
  async function openStep(
    row: StepRow,
    sourceIp: string | undefined,
  ): Promise<{ principal: SessionPrincipal; state: StepState; stamp: string }> {
    const state = JSON.parse(row.state) as StepState;
    const principal = await principalOf(row);
    if (!(await stampHolds(principal, state.stamp))) throw err.stepTokenInvalid();
    if (
      sourceIp !== undefined &&
      state.purpose === 'logon' &&
      principal.type === 'RAMUser' &&
      !(await parts.securityPreference.allowsLoginFrom(principal.accountId, sourceIp))
    ) {
      throw err.logonNetworkDenied();
    }
    if (
      sourceIp !== undefined &&
      state.purpose === 'logon' &&
      principal.type === 'RAMUser' &&
      (await userSsoEnabled(principal.accountId))
    ) {
      throw passwordLogonOff();
    }
    return { principal, state, stamp: state.stamp! };
  }

  /**
   * The next step, or the session when none is left. `stamp`: the password the logon was
   * checked with; a session is kept only if it is still the principal's once the session is
   * written (a reset committed meanwhile, before the session existed to be ended, ends it here).
   */
  async function proceed(
    principal: SessionPrincipal,
    steps: readonly LogonStep[],
    mfaPresent: boolean,
    purpose: StepState['purpose'],
    sourceIp: string,
    opts: {
      readonly stamp: string;
      readonly fromStep: boolean;
      readonly remember?: boolean;
      readonly remembered?: boolean;
    },
  ): Promise<LogonOutcome> {
    const [next, ...rest] = steps;
    if (next !== undefined) {
      const state: StepState = {
        rest,
        mfaPresent,
        purpose,
        stamp: opts.stamp,
        ...(opts.remember ? { rememberMfa: true } : {}),
        ...(opts.remembered ? { mfaRemembered: true } : {}),
      };
      const issued = await issueStep(principal, next, state, sourceIp);
      const canRememberMfa = next === 'MFA' && (await mayRememberMfa(principal));
      return { kind: 'Step', step: next, ...issued, ...(canRememberMfa ? { canRememberMfa } : {}) };
    }
    if (purpose === 'session') return { kind: 'Done' };
    const session = await parts.sessions.create(principal, { mfaPresent, sourceIp });
    if (!(await stampHolds(principal, opts.stamp))) {
      await parts.sessions.end(session.sessionId);
      throw opts.fromStep ? err.stepTokenInvalid() : err.logonFailed();
    }
    // The ticket is issued with the session, after every step (a password changed in a later
    // step is the one it is stamped with), and only while the preference still allows it.
    const mfaTicket =
      opts.remember && principal.type === 'RAMUser' && (await mayRememberMfa(principal))
        ? await tickets.issue(principal.accountId, principal.userId)
        : undefined;
    return {
      kind: 'Session',
      ...session,
      principal,
      mfaPresent,
      ...(mfaTicket ? { mfaTicket } : {}),
      ...(opts.remembered ? { mfaRemembered: true } : {}),
    };
  }

  /** Whether a RAM user's MFA step may be remembered (security preference EnableSaveMFATicket). */
  async function mayRememberMfa(principal: SessionPrincipal): Promise<boolean> {
    if (principal.type !== 'RAMUser') return false;
    return (await readSecurityPreference(store.db, principal.accountId)).enableSaveMFATicket;
  }

  /** Parses a login name into the account and the name part; undefined when it names none. */
  async function resolveLoginName(
    loginName: string,
  ): Promise<{ accountId: string; name: string; root: boolean } | undefined> {
    if (loginName.length === 0 || loginName.length > MAX_LOGIN_NAME) return undefined;
    const at = loginName.lastIndexOf('@');
    if (at <= 0) return undefined;
    const name = loginName.slice(0, at);
    const domain = asciiLowerCase(loginName.slice(at + 1));
    let accountId: string;
    if (domain.endsWith(DEFAULT_DOMAIN_SUFFIX)) {
      const key = domain.slice(0, -DEFAULT_DOMAIN_SUFFIX.length);
      if (!/^[a-z0-9-]{1,63}$/.test(key)) return undefined;
      const account = await parts.accounts.findByAliasOrId(key);
      if (!account) return undefined;
      // The domain must be the account's: its alias or its id.
      if (key !== account.accountId && key !== account.alias) return undefined;
      accountId = account.accountId;
    } else {
      // The account's auxiliary domain (IMS SetUserSsoSettings), unique across the deployment.
      const found = await parts.ssoSettings.accountOfAuxiliaryDomain(domain);
      if (found === undefined) return undefined;
      accountId = found;
    }
    const root = asciiLowerCase(name) === 'root';
    if (!root && !isEntityName('user', name)) return undefined;
    return { accountId, name, root };
  }

  /** Whether logons of RAM users of the account must bind an MFA device (security preference). */
  function accountRequiresMfa(pref: {
    mfaOperationForLogin: string;
    operationForRiskLogin: string;
  }): boolean {
    if (pref.mfaOperationForLogin === 'mandatory') return true;
    // No risk engine: with 'adaptive' every logon counts as one to verify.
    return pref.mfaOperationForLogin === 'adaptive' && pref.operationForRiskLogin === 'enforceVerify';
  }

  const domain: LogonDomain = {
    async start({ loginName, password, sourceIp, mfaTicket }) {
      if (password.length > MAX_PASSWORD) {
        await spendPasswordCheck(ctx, '');
        throw err.logonFailed();
      }
      const target = await resolveLoginName(loginName);
      const nameSubject = target
        ? target.root
          ? `root@${target.accountId}`
          : `${nameKey(target.name)}@${target.accountId}`
        : asciiLowerCase(loginName).slice(0, MAX_LOGIN_NAME);
      await claimTry(sourceIp, nameSubject);
      if (!target) {
        await spendPasswordCheck(ctx, password);
        throw err.logonFailed();
      }
      const { accountId } = target;

      if (target.root) {
        const principal: SessionPrincipal = { type: 'Root', accountId };
        // Read before the check: a password changed in between leaves the step a stale stamp
        // (refused later), never the new password's.
        const stamp = await currentStamp(principal);
        const result = await parts.accounts.attemptRootPassword(accountId, password);
        if (result !== 'Right' || stamp === undefined) throw err.logonFailed();
        await refundTry(sourceIp, nameSubject);
        const steps: LogonStep[] =
          (await parts.mfa.hasMfa(accountId, { kind: 'root' })) || (await parts.webauthn.has({ accountId }))
            ? ['MFA']
            : [];
        return proceed(principal, steps, false, 'logon', sourceIp, { stamp, fromStep: false });
      }

      // LoginNetworkMasks bind RAM users' console logons (not the root, not AccessKeys); the
      // answer depends on the account and the address only, never on the user.
      if (!(await parts.securityPreference.allowsLoginFrom(accountId, sourceIp))) {
        await refundTry(sourceIp, nameSubject);
        throw err.logonNetworkDenied();
      }
      // User-based SSO on: RAM users log on through the identity provider only (the root and
      // AccessKeys are not affected). The answer depends on the account only, never on the user.
      if (await userSsoEnabled(accountId)) {
        await refundTry(sourceIp, nameSubject);
        throw passwordLogonOff();
      }
      const check = await parts.loginProfiles.verifyPassword(accountId, target.name, password);
      if (!check.ok) {
        if (check.reason === 'Expired') {
          // The password was right: telling that it expired reveals nothing to a guesser.
          await refundTry(sourceIp, nameSubject);
          throw err.logonPasswordExpired();
        }
        throw err.logonFailed();
      }
      await refundTry(sourceIp, nameSubject);
      const principal: SessionPrincipal = {
        type: 'RAMUser',
        accountId,
        userId: check.userId,
        userName: check.userName,
      };
      const pref = await readSecurityPreference(store.db, accountId);
      const hasMfa =
        (await parts.mfa.hasMfa(accountId, { kind: 'user', userId: check.userId })) ||
        (await parts.webauthn.has({ accountId, userId: check.userId }));
      // A remembered MFA step (EnableSaveMFATicket): a live ticket of this user, issued under
      // its current password and MFA devices, stands for the MFA step, as on the real service.
      const remembered =
        hasMfa &&
        pref.enableSaveMFATicket &&
        mfaTicket !== undefined &&
        (await tickets.valid(mfaTicket, accountId, check.userId));
      const steps: LogonStep[] = [];
      if (hasMfa && !remembered) steps.push('MFA');
      if (check.passwordResetRequired) steps.push('ChangePassword');
      if (!hasMfa && (check.mfaBindRequired || accountRequiresMfa(pref))) steps.push('BindMFA');
      return proceed(principal, steps, remembered, 'logon', sourceIp, {
        stamp: check.passwordStamp,
        fromStep: false,
        remembered,
      });
    },

    async completeMfa(stepToken, code, sourceIp, remember = false) {
      const row = await takeStep(stepToken, 'MFA');
      const { principal, state, stamp } = await openStep(row, sourceIp);
      const subject = nameSubjectOf(principal);
      // A code is a try like a password: counted first (step tokens taken in advance must not
      // outlast the limit), refused past it, given back when right.
      await claimTry(sourceIp, subject);
      const ok =
        principal.type === 'Root'
          ? await parts.mfa.verifyRootCode(principal.accountId, code)
          : await parts.mfa.verifyUserCode(principal.accountId, principal.userName, code);
      if (!ok) throw err.authCodeFail();
      await refundTry(sourceIp, subject);
      return proceed(principal, state.rest, true, state.purpose, sourceIp, {
        stamp,
        fromStep: true,
        remember,
      });
    },

    async webauthnOptions(stepToken, rp) {
      const hash = hashOfOpaqueId(stepToken);
      if (!hash) throw err.stepTokenInvalid();
      const row = await store.db
        .selectFrom('logon_steps')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.step !== 'MFA' || Date.parse(row.expires_at) <= ctx.clock().getTime()) {
        throw err.stepTokenInvalid();
      }
      const { principal } = await openStep(row, undefined);
      return parts.webauthn.authenticationOptions(ownerOf(principal), hash, rp);
    },

    async completeMfaWithWebAuthn(stepToken, response, rp, sourceIp, remember = false) {
      const row = await takeStep(stepToken, 'MFA');
      const { principal, state, stamp } = await openStep(row, sourceIp);
      const subject = nameSubjectOf(principal);
      await claimTry(sourceIp, subject);
      if (!(await parts.webauthn.verify(ownerOf(principal), row.token_hash, response, rp)))
        throw err.authCodeFail();
      await refundTry(sourceIp, subject);
      return proceed(principal, state.rest, true, state.purpose, sourceIp, {
        stamp,
        fromStep: true,
        remember,
      });
    },

    async changePassword(stepToken, newPassword, sourceIp) {
      const row = await takeStep(stepToken, 'ChangePassword');
      const { principal, state, stamp } = await openStep(row, sourceIp);
      // The next step (or the session) is bound to the new password.
      let newStamp: string | undefined;
      try {
        if (principal.type === 'Root') {
          // (The root's logon never asks for this step; kept for completeness.)
          await parts.accounts.setRootPassword(principal.accountId, newPassword);
          newStamp = await currentStamp(principal);
        } else {
          newStamp = await parts.loginProfiles.changePasswordAtLogon(
            principal.accountId,
            principal.userId,
            newPassword,
            stamp,
          );
        }
      } catch (e) {
        if (e instanceof ApiError && e.code.startsWith('InvalidParameter.')) await restoreStep(row);
        throw e;
      }
      if (newStamp === undefined) throw err.stepTokenInvalid();
      return proceed(principal, state.rest, state.mfaPresent, state.purpose, sourceIp, {
        stamp: newStamp,
        fromStep: true,
        remember: state.rememberMfa === true,
        remembered: state.mfaRemembered === true,
      });
    },

    async bindMfa(stepToken, codes, sourceIp, authorize) {
      const row = await takeStep(stepToken, 'BindMFA');
      const { principal, state, stamp } = await openStep(row, sourceIp);
      // A binding started from a session is the person's own change, asked like the API's
      // calls at each of its calls; one the logon demands is not (docs/logon.md, Self-service).
      // A refusal changes nothing and leaves the token for another try.
      const check =
        state.purpose === 'session'
          ? async (deviceName?: string) => {
              try {
                await authorize(principal, state.mfaPresent, deviceName);
              } catch (e) {
                await restoreStep(row);
                throw e;
              }
            }
          : undefined;
      if (state.device === undefined) {
        const device = await parts.mfa.createForLogon(
          principal.accountId,
          principal.type === 'Root' ? { kind: 'root' } : { kind: 'user', userName: principal.userName },
          check,
        );
        const issued = await issueStep(
          principal,
          'BindMFA',
          { ...state, device: device.serialNumber },
          sourceIp,
        );
        return { kind: 'Step', step: 'BindMFA', ...issued, device };
      }
      await check?.();
      try {
        if (!codes) throw err.authCodeFormat();
        if (principal.type === 'Root') {
          await parts.mfa.bindRoot(principal.accountId, state.device, codes.code1, codes.code2);
        } else {
          await parts.mfa.bind(
            principal.accountId,
            principal.userName,
            state.device,
            codes.code1,
            codes.code2,
          );
        }
      } catch (e) {
        if (
          e instanceof ApiError &&
          (e.code === 'CheckAuthenticationCodeFail' ||
            e.code === 'InvalidParameter.AuthenticationCode.Format')
        ) {
          await restoreStep(row);
        }
        throw e;
      }
      // Two consecutive codes of the device just bound: MFA is present.
      return proceed(principal, state.rest, true, state.purpose, sourceIp, { stamp, fromStep: true });
    },

    async startMfaBinding(session, sourceIp) {
      const p = session.principal;
      if (p.type === 'AssumedRole') throw roleSessionRefused();
      if (p.type === 'RAMUser') {
        if (await parts.mfa.hasMfa(p.accountId, { kind: 'user', userId: p.userId }))
          throw err.userMfaExists(p.userName);
      } else if (await parts.mfa.hasMfa(p.accountId, { kind: 'root' })) {
        throw err.rootMfaExists();
      }
      // Bound to the password of now: a change or reset ends the session and this step with it.
      const stamp = await currentStamp(p);
      if (stamp === undefined) throw err.sessionInvalid();
      return proceed(p, ['BindMFA'], session.mfaPresent, 'session', sourceIp, { stamp, fromStep: false });
    },

    async changeOwnPassword(session, oldPassword, newPassword) {
      const p = session.principal;
      if (p.type === 'AssumedRole') throw roleSessionRefused();
      if (p.type === 'Root') {
        await parts.accounts.changeRootPassword(p.accountId, oldPassword, newPassword);
        return;
      }
      await parts.loginProfiles.changePassword(p.accountId, p.userName, oldPassword, newPassword);
    },

    async unbindOwnMfa(session, code, sourceIp) {
      const p = session.principal;
      if (p.type === 'AssumedRole') throw roleSessionRefused();
      // A code is a try like a password at the MFA step: counted first, refused past the
      // limit, given back when right.
      const subject = nameSubjectOf(p);
      await claimTry(sourceIp, subject);
      const unbound = await parts.mfa.unbindOwn(
        p.accountId,
        p.type === 'Root' ? { kind: 'root' } : { kind: 'user', userId: p.userId },
        code,
      );
      await refundTry(sourceIp, subject);
      return unbound;
    },

    async clearRootThrottle(accountId) {
      await store.db
        .deleteFrom('logon_throttle')
        .where('scope', '=', 'name')
        .where('subject', '=', `root@${accountId}`)
        .execute();
    },
  };
  return domain;
}
