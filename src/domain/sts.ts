import { principalArn, type Principal } from '../auth/principal.js';
import { issueCredentials, type IssuedCredentials } from '../auth/sts-token.js';
import { apiError, paramError } from '../errors.js';
import type { DomainContext } from './context.js';
import { checkDocument } from './documents.js';
import type { TrustedRole } from './request-services.js';
import type { ResolvedSession } from './index.js';
import { hashOfOpaqueId } from './sessions.js';
import { roleArn, rootArn, userArn } from '../arn.js';

/** The shortest session, and the longest one a role session may start (role chaining). */
export const MIN_SESSION_SECONDS = 900;
export const MAX_CHAINED_SESSION_SECONDS = 3600;
export const DEFAULT_SESSION_SECONDS = 3600;

export interface AssumeRoleInput {
  /** Who asks (already authorized: its policies and the role's trust policy allow it). */
  readonly caller: Principal;
  readonly role: TrustedRole;
  readonly sessionName: string;
  /** Undefined: the default (3600 s, or the role's maximum when that is shorter). */
  readonly durationSeconds?: number | undefined;
  /** A session policy: the session can do only what both it and the role allow. */
  readonly policy?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  /** The caller's request carried acs:MFAPresent true: the session carries it on. */
  readonly mfaPresent: boolean;
}

export interface AssumedRole {
  readonly credentials: IssuedCredentials;
  /** `acs:ram::<account>:role/<role>/<session>`, as AssumeRole answers it. */
  readonly arn: string;
  /** `<roleId>:<session>`. */
  readonly assumedRoleId: string;
}

/** The longest life of credentials drawn from a console session (never past the session). */
export const MAX_LOGON_CREDENTIALS_SECONDS = 3600;

export interface StsDomain {
  /**
   * Short-lived signing credentials for a logged-on person (the CLI's login, the console's own
   * API calls): the session's principal, acs:MFAPresent as the logon passed it, for at most an
   * hour and never past the session; logoff, or the end of the session, ends them too.
   */
  logonCredentials(sessionId: string, session: ResolvedSession): IssuedCredentials;
  /**
   * Temporary credentials for a role session. DurationSeconds runs from 900 s to the role's
   * MaxSessionDuration, and to one hour for a role session assuming a role (chaining).
   */
  assumeRole(input: AssumeRoleInput): Promise<AssumedRole>;
  /**
   * Temporary credentials for a role session started by a SAML assertion or an OIDC token
   * (the trust policy already allowed the provider): DurationSeconds from 900 s to the role's
   * MaxSessionDuration; the provider's ARN is recorded as who obtained them.
   */
  assumeRoleFederated(input: FederatedAssumeRoleInput): Promise<AssumedRole>;
}

export interface FederatedAssumeRoleInput {
  readonly role: TrustedRole;
  /** The SAML or OIDC provider's ARN. */
  readonly providerArn: string;
  readonly sessionName: string;
  readonly durationSeconds?: number | undefined;
  readonly policy?: string | undefined;
  /** A console session (role-based SSO) the credentials are drawn from: they end with it. */
  readonly logonSession?: string;
}

function durationError(max: number): Error {
  return apiError(
    'InvalidParameter.DurationSeconds',
    `The Min/Max value of DurationSeconds is ${MIN_SESSION_SECONDS / 60}min/${max / 3600}hr.`,
  );
}

export function createSts(ctx: DomainContext): StsDomain {
  return {
    logonCredentials(sessionId, session) {
      const ls = hashOfOpaqueId(sessionId);
      if (!ls) throw new Error('a resolved session has a well-formed id');
      const now = Math.floor(ctx.clock().getTime() / 1000);
      const exp = Math.min(
        now + MAX_LOGON_CREDENTIALS_SECONDS,
        Math.floor(session.expiresAt.getTime() / 1000),
      );
      const p = session.principal;
      if (p.type === 'AssumedRole') {
        // A role-based SSO session: the role session's own credentials.
        return issueCredentials(ctx.sealer, {
          kind: 'role',
          acct: p.accountId,
          rid: p.roleId,
          rn: p.roleName,
          sn: p.sessionName,
          ls,
          iat: now,
          exp,
          mfa: false,
          by: p.providerArn,
        });
      }
      return issueCredentials(ctx.sealer, {
        ...(p.type === 'RAMUser'
          ? { kind: 'user' as const, uid: p.userId, un: p.userName }
          : { kind: 'root' as const }),
        acct: p.accountId,
        ls,
        iat: now,
        exp,
        mfa: session.mfaPresent,
        by: p.type === 'RAMUser' ? userArn(p.accountId, p.userName) : rootArn(p.accountId),
      });
    },

    async assumeRole(input) {
      const chained = input.caller.type === 'AssumedRole';
      const max = chained
        ? Math.min(MAX_CHAINED_SESSION_SECONDS, input.role.maxSessionDuration)
        : input.role.maxSessionDuration;
      const seconds = input.durationSeconds ?? Math.min(DEFAULT_SESSION_SECONDS, max);
      if (seconds < MIN_SESSION_SECONDS || seconds > max) throw durationError(max);
      if (input.policy !== undefined) await checkDocument(ctx, input.policy, 'session', 'AssumeRole');
      const now = Math.floor(ctx.clock().getTime() / 1000);
      const credentials = issueCredentials(ctx.sealer, {
        kind: 'role',
        acct: input.role.accountId,
        rid: input.role.roleId,
        rn: input.role.roleName,
        sn: input.sessionName,
        ...(input.policy !== undefined ? { sp: input.policy } : {}),
        iat: now,
        exp: now + seconds,
        mfa: input.mfaPresent,
        ...(chained ? { chain: true } : {}),
        by: principalArn(input.caller),
        ...(input.sourceIdentity !== undefined ? { si: input.sourceIdentity } : {}),
        // Drawn from a console session's or a workload's credentials: they end with it too.
        ...(input.caller.type !== 'Anonymous' && input.caller.logonSession !== undefined
          ? { ls: input.caller.logonSession }
          : {}),
        ...(input.caller.type !== 'Anonymous' && input.caller.workload !== undefined
          ? { wl: input.caller.workload }
          : {}),
      });
      return {
        credentials,
        arn: `${roleArn(input.role.accountId, input.role.roleName)}/${input.sessionName}`,
        assumedRoleId: `${input.role.roleId}:${input.sessionName}`,
      };
    },

    async assumeRoleFederated(input) {
      const max = input.role.maxSessionDuration;
      const seconds = input.durationSeconds ?? Math.min(DEFAULT_SESSION_SECONDS, max);
      if (seconds < MIN_SESSION_SECONDS || seconds > max) throw durationError(max);
      if (input.policy !== undefined) await checkDocument(ctx, input.policy, 'session', 'AssumeRole');
      const now = Math.floor(ctx.clock().getTime() / 1000);
      const credentials = issueCredentials(ctx.sealer, {
        kind: 'role',
        acct: input.role.accountId,
        rid: input.role.roleId,
        rn: input.role.roleName,
        sn: input.sessionName,
        ...(input.policy !== undefined ? { sp: input.policy } : {}),
        iat: now,
        exp: now + seconds,
        mfa: false,
        by: input.providerArn,
        ...(input.logonSession !== undefined ? { ls: input.logonSession } : {}),
      });
      return {
        credentials,
        arn: `${roleArn(input.role.accountId, input.role.roleName)}/${input.sessionName}`,
        assumedRoleId: `${input.role.roleId}:${input.sessionName}`,
      };
    },
  };
}

/** `acs:ram::<16 digits>:role/<name>`: the account and the role name of a RoleArn. */
export function parseRoleArn(text: string, param = 'RoleArn'): { accountId: string; roleName: string } {
  const m = /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/.exec(text);
  if (!m) {
    throw paramError(
      `InvalidParameter.${param}`,
      `The parameter - "${param}" must be of the form acs:ram::<account id>:role/<role name>.`,
    );
  }
  return { accountId: m[1]!, roleName: m[2]! };
}
