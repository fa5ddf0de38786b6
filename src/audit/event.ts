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
 * permissions and account-wide security settings changed, temporary credentials issued, the
 * identity providers trusted for SSO changed, and logons.
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
  'GetLogonCredentials',
  'CreateSAMLProvider',
  'UpdateSAMLProvider',
  'DeleteSAMLProvider',
  'CreateOIDCProvider',
  'UpdateOIDCProvider',
  'DeleteOIDCProvider',
  'AddClientIdToOIDCProvider',
  'RemoveClientIdFromOIDCProvider',
  'AddFingerprintToOIDCProvider',
  'RemoveFingerprintFromOIDCProvider',
  'SetUserSsoSettings',
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

/** The fields of an event its index columns are read from. */
export type IndexedFields = Pick<
  AuditEvent,
  | 'eventId'
  | 'eventTime'
  | 'eventName'
  | 'eventType'
  | 'eventRW'
  | 'serviceName'
  | 'userIdentity'
  | 'sourceIpAddress'
  | 'resourceType'
  | 'resourceName'
  | 'errorCode'
>;

/**
 * The role of an event: the caller's role for an assumed-role identity (userName
 * `<RoleName>:<session>`), else the role the event is about.
 */
function roleNameOf(e: IndexedFields): string | null {
  const id = e.userIdentity;
  if (id.type === 'assumed-role' && id.userName) {
    const i = id.userName.lastIndexOf(':');
    return i < 0 ? id.userName : id.userName.slice(0, i);
  }
  return e.resourceType === 'ACS::RAM::Role' && e.resourceName ? e.resourceName : null;
}

/** The columns LookupEvents filters on, as stored (see columnText). */
export function indexOf(e: IndexedFields): EventIndex {
  return {
    eventTime: columnText(e.eventTime),
    eventName: columnText(e.eventName),
    eventType: columnText(e.eventType),
    eventRW: columnText(e.eventRW),
    serviceName: columnText(e.serviceName),
    userName: columnText(e.userIdentity.userName ?? null),
    principalId: columnText(e.userIdentity.principalId ?? null),
    roleName: columnText(roleNameOf(e)),
    accessKeyId: columnText(e.userIdentity.accessKeyId ?? null),
    sourceIp: columnText(e.sourceIpAddress ?? null),
    resourceType: columnText(e.resourceType ?? null),
    resourceName: columnText(e.resourceName ?? null),
    sensitive: SENSITIVE_EVENTS.has(e.eventName),
    errorCode: e.errorCode === '' ? null : columnText(e.errorCode),
  };
}

/** An event's index columns, `event_id` through `error_code` in EVENT_COLUMNS order. */
export function eventIndexColumns(event: IndexedFields): (string | number | null)[] {
  const ix = indexOf(event);
  return [
    columnText(event.eventId),
    ix.eventTime,
    ix.eventName,
    ix.eventType,
    ix.eventRW,
    ix.serviceName,
    ix.userName,
    ix.principalId,
    ix.roleName,
    ix.accessKeyId,
    ix.sourceIp,
    ix.resourceType,
    ix.resourceName,
    ix.sensitive ? 1 : 0,
    ix.errorCode,
  ];
}

/**
 * Text as an index column holds it, the same on both stores: NUL (which PostgreSQL refuses in
 * text) and unpaired surrogates (which are not UTF-8) become U+FFFD. An event of a refused
 * request carries the caller's raw input; one such value must never stop its batch from being
 * appended. The event's JSON text keeps every character, escaped. LookupEvents maps filter
 * values the same way.
 */
export function columnText<T extends string | null>(text: T): T {
  if (text === null) return text;
  const wellFormed = (text as string & { toWellFormed(): string }).toWellFormed();
  return (wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '\ufffd') : wellFormed) as T;
}

let lastSecond = NaN;
let lastTime = '';

/** `yyyy-MM-ddTHH:mm:ssZ`. Made once per second: every event of that second shares it. */
export function eventTimeOf(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastTime = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastTime;
}

/** An event to record and the chain (account) it belongs to: '' for no account. */
export interface PendingEvent {
  readonly accountId: string;
  readonly event: AuditEvent;
}
