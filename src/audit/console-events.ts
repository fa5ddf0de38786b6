import { randomUUID } from 'node:crypto';
import { ACS_REGION, eventTimeOf, type AuditEvent, type PendingEvent, type UserIdentity } from './event.js';

/** Who a console event is about: a resolved principal, or only the login name typed. */
export type ConsolePrincipal =
  | { readonly type: 'Root'; readonly accountId: string }
  | {
      readonly type: 'RAMUser';
      readonly accountId: string;
      readonly userId: string;
      readonly userName: string;
    }
  | {
      /** A role session of role-based SSO. */
      readonly type: 'AssumedRole';
      readonly accountId: string;
      readonly roleId: string;
      readonly roleName: string;
      readonly sessionName: string;
      readonly providerArn: string;
    };

export interface ConsoleEventInput {
  readonly name:
    'ConsoleSignin' | 'ConsoleSignout' | 'GetLogonCredentials' | 'UnbindMFADevice' | 'ChangePassword';
  /** The account the event belongs to ('' when the login name names none). */
  readonly accountId: string;
  readonly principal?: ConsolePrincipal;
  /** The login name as typed (ConsoleSignin). */
  readonly loginAccount?: string;
  /** The NameID of a SAML single sign-on (ConsoleSignin). */
  readonly samlNameId?: string;
  readonly mfa?: boolean;
  /** The MFA step was skipped for a remembered device (EnableSaveMFATicket); never the ticket. */
  readonly mfaRemembered?: boolean;
  readonly sourceIp: string;
  readonly userAgent?: string;
  /** A refusal: its code and message (never a password or a code). */
  readonly error?: { readonly code: string; readonly message: string };
  readonly at: Date;
}

function identity(p: ConsolePrincipal | undefined, loginAccount: string | undefined): UserIdentity {
  if (!p) return { type: 'unknown', ...(loginAccount ? { userName: loginAccount } : {}) };
  if (p.type === 'AssumedRole') {
    return {
      type: 'assumed-role',
      principalId: `${p.roleId}:${p.sessionName}`,
      accountId: p.accountId,
      userName: `${p.roleName}:${p.sessionName}`,
    };
  }
  return p.type === 'Root'
    ? { type: 'root-account', principalId: p.accountId, accountId: p.accountId, userName: 'root' }
    : { type: 'ram-user', principalId: p.userId, accountId: p.accountId, userName: p.userName };
}

/**
 * A console event (reference actiontrail-events.md section 4): `ConsoleSignin` for a logon that
 * ended in a session or was refused, `ConsoleSignout` for a logoff, `GetLogonCredentials`
 * for signing credentials drawn from a session (temporary credentials issued),
 * `UnbindMFADevice` for a person removing its own MFA device, and `ChangePassword` for a
 * person changing its own password from a session (never a password in the event).
 */
export function consoleEvent(e: ConsoleEventInput): PendingEvent {
  const event: AuditEvent = {
    eventId: randomUUID().toUpperCase(),
    eventVersion: 1,
    eventCategory: 'Management',
    eventType: e.name === 'ConsoleSignin' || e.name === 'ConsoleSignout' ? e.name : 'ApiCall',
    eventName: e.name,
    eventRW: 'Write',
    eventSource: 'signin.aliyun.com',
    eventTime: eventTimeOf(e.at),
    serviceName: 'AasSub',
    acsRegion: ACS_REGION,
    requestParameters: {},
    additionalEventData: {
      ...(e.loginAccount !== undefined ? { loginAccount: e.loginAccount } : {}),
      ...(e.mfa !== undefined ? { isMFAChecked: String(e.mfa), mfaChecked: String(e.mfa) } : {}),
      ...(e.mfaRemembered ? { mfaRemembered: 'true' } : {}),
      ...(e.principal?.type === 'AssumedRole' ? { samlProviderArn: e.principal.providerArn } : {}),
      ...(e.samlNameId !== undefined ? { samlNameId: e.samlNameId } : {}),
    },
    userIdentity: identity(e.principal, e.loginAccount),
    sourceIpAddress: e.sourceIp,
    ...(e.userAgent ? { userAgent: e.userAgent } : {}),
    ...(e.accountId ? { recipientAccountId: e.accountId } : {}),
    isGlobal: true,
    errorCode: e.error?.code ?? '',
    errorMessage: e.error?.message ?? '',
  };
  return { accountId: e.accountId, event };
}
