/**
 * One audit event, shaped like an ActionTrail management event (reference
 * actiontrail-events.md): the JSON object LookupEvents returns in `Events[]` and the sinks
 * deliver. Field names are ActionTrail's, camelCase.
 */
export type EventType =
  'ApiCall' | 'ConsoleSignin' | 'ConsoleSignout' | 'ConsoleOperation' | 'AliyunServiceEvent';

export type IdentityType =
  'root-account' | 'ram-user' | 'assumed-role' | 'system' | 'saml-user' | 'oidc-user' | 'unknown';

export interface UserIdentity {
  readonly type: IdentityType;
  readonly principalId?: string;
  readonly accountId?: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  readonly sessionContext?: {
    readonly attributes: { readonly mfaAuthenticated: 'true' | 'false'; readonly creationDate?: string };
  };
}

export interface AuditEvent {
  readonly eventId: string;
  readonly eventVersion: 1;
  readonly eventCategory: 'Management';
  readonly eventType: EventType;
  readonly eventName: string;
  readonly eventRW: 'Read' | 'Write';
  readonly eventSource: string;
  /** UTC, `yyyy-MM-ddTHH:mm:ssZ`. */
  readonly eventTime: string;
  readonly serviceName: string;
  readonly acsRegion: string;
  readonly apiVersion?: string;
  readonly requestId?: string;
  /** Input parameters, secrets replaced by `****` (see redact.ts). */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly additionalEventData?: Readonly<Record<string, string>>;
  readonly userIdentity: UserIdentity;
  readonly sourceIpAddress?: string;
  readonly userAgent?: string;
  readonly resourceType?: string;
  readonly resourceName?: string;
  readonly referencedResources?: Readonly<Record<string, readonly string[]>>;
  readonly recipientAccountId?: string;
  readonly isGlobal: boolean;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** The region every event names (RAM is a global service). */
export const ACS_REGION = 'cn-hangzhou';

/** Actions that only read: Get*, List*, Describe*, Lookup*, Query*, Decode*. */
const READ_PREFIX = /^(Get|List|Describe|Lookup|Query|Decode)[A-Z]/;

export function eventRW(eventName: string): 'Read' | 'Write' {
  return READ_PREFIX.test(eventName) ? 'Read' : 'Write';
}

/**
 * Events flagged sensitive (LookupAttribute SensitiveAction=true): credentials, MFA,
 * permissions and account-wide security settings changed, and logons.
 */
export const SENSITIVE_EVENTS: ReadonlySet<string> = new Set([
  'ChangePassword',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'DeleteLoginProfile',
  'CreateAccessKey',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'CreateVirtualMFADevice',
  'DeleteVirtualMFADevice',
  'BindMFADevice',
  'UnbindMFADevice',
  'AttachPolicyToUser',
  'AttachPolicyToGroup',
  'AttachPolicyToRole',
  'DetachPolicyFromUser',
  'DetachPolicyFromGroup',
  'DetachPolicyFromRole',
  'CreatePolicy',
  'CreatePolicyVersion',
  'SetDefaultPolicyVersion',
  'DeletePolicy',
  'DeletePolicyVersion',
  'CreateRole',
  'UpdateRole',
  'DeleteRole',
  'AddUserToGroup',
  'SetPasswordPolicy',
  'SetSecurityPreference',
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithOIDC',
  'ConsoleSignin',
  'PasswordModify',
  'PasswordReset',
  'MFABind',
  'MFAUnbind',
  'DisableIdleAccessKey',
  'DisableIdleConsoleLogon',
]);

/** The columns LookupEvents filters on, read from the event itself. */
export interface EventIndex {
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventType: string;
  readonly eventRW: string;
  readonly serviceName: string;
  readonly userName: string | null;
  readonly principalId: string | null;
  readonly roleName: string | null;
  readonly accessKeyId: string | null;
  readonly sourceIp: string | null;
  readonly resourceType: string | null;
  readonly resourceName: string | null;
  readonly sensitive: boolean;
  readonly errorCode: string | null;
}

/**
 * The role of an event: the caller's role for an assumed-role identity (userName
 * `<RoleName>:<session>`), else the role the event is about.
 */
function roleNameOf(e: AuditEvent): string | null {
  const id = e.userIdentity;
  if (id.type === 'assumed-role' && id.userName) {
    const i = id.userName.lastIndexOf(':');
    return i < 0 ? id.userName : id.userName.slice(0, i);
  }
  return e.resourceType === 'ACS::RAM::Role' && e.resourceName ? e.resourceName : null;
}

export function indexOf(e: AuditEvent): EventIndex {
  return {
    eventTime: e.eventTime,
    eventName: e.eventName,
    eventType: e.eventType,
    eventRW: e.eventRW,
    serviceName: e.serviceName,
    userName: e.userIdentity.userName ?? null,
    principalId: e.userIdentity.principalId ?? null,
    roleName: roleNameOf(e),
    accessKeyId: e.userIdentity.accessKeyId ?? null,
    sourceIp: e.sourceIpAddress ?? null,
    resourceType: e.resourceType ?? null,
    resourceName: e.resourceName ?? null,
    sensitive: SENSITIVE_EVENTS.has(e.eventName),
    errorCode: e.errorCode === '' ? null : e.errorCode,
  };
}

/** `yyyy-MM-ddTHH:mm:ssZ`. */
export function eventTimeOf(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An event to record and the chain (account) it belongs to: '' for no account. */
export interface PendingEvent {
  readonly accountId: string;
  readonly event: AuditEvent;
}
