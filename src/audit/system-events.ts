import { randomUUID } from 'node:crypto';
import type { IdleChange, WorkloadIssuance } from '../domain/index.js';
import { ACS_REGION, eventTimeOf, type AuditEvent, type PendingEvent } from './event.js';

/** The identity of Rampart's own background work. */
const SYSTEM_IDENTITY = { type: 'system', userName: 'rampart' } as const;

/**
 * The events of an automatic change by the idle-credentials job: one per AccessKey or console
 * logon disabled, `AliyunServiceEvent`, done by the `system` identity.
 */
export function idleChangeEvents(change: IdleChange, at: Date): PendingEvent[] {
  return change.items.map((item) => {
    const key = change.kind === 'AccessKey';
    const event: AuditEvent = {
      eventId: randomUUID().toUpperCase(),
      eventVersion: 1,
      eventCategory: 'Management',
      eventType: 'AliyunServiceEvent',
      eventName: key ? 'DisableIdleAccessKey' : 'DisableIdleConsoleLogon',
      eventRW: 'Write',
      eventSource: 'ram.aliyuncs.com',
      eventTime: eventTimeOf(at),
      serviceName: 'Ram',
      acsRegion: ACS_REGION,
      requestParameters: {
        UserId: item.userId,
        ...(item.accessKeyId ? { AccessKeyId: item.accessKeyId } : {}),
        [key ? 'MaxIdleDaysForAccessKeys' : 'MaxIdleDaysForUsers']: String(change.maxIdleDays),
      },
      additionalEventData: { Reason: key ? 'AccessKeyIdle' : 'ConsoleLogonIdle' },
      userIdentity: SYSTEM_IDENTITY,
      resourceType: key ? 'ACS::RAM::AccessKey' : 'ACS::RAM::User',
      resourceName: key ? item.accessKeyId! : item.userId,
      recipientAccountId: change.accountId,
      isGlobal: true,
      errorCode: '',
      errorMessage: '',
    };
    return { accountId: change.accountId, event };
  });
}

/**
 * A workload's request for its role's credentials (`GET /workload/credentials/...`) whose
 * binding was found: `GetWorkloadCredentials`, an STS issuance made for the workload, with the
 * role and session on success, `Forbidden.WorkloadIdentity` when refused. The binding token is never recorded.
 */
export function workloadCredentialEvent(
  issuance: WorkloadIssuance,
  request: {
    readonly at: Date;
    readonly requestId: string;
    readonly sourceIp: string;
    readonly userAgent?: string;
  },
): PendingEvent {
  const event: AuditEvent = {
    eventId: randomUUID().toUpperCase(),
    eventVersion: 1,
    eventCategory: 'Management',
    eventType: 'ApiCall',
    eventName: 'GetWorkloadCredentials',
    eventRW: 'Write',
    eventSource: 'sts.aliyuncs.com',
    eventTime: eventTimeOf(request.at),
    serviceName: 'Sts',
    acsRegion: ACS_REGION,
    requestId: request.requestId,
    requestParameters: {
      WorkloadName: issuance.workloadName,
      ...(issuance.roleName ? { RoleName: issuance.roleName } : {}),
    },
    additionalEventData: {
      WorkloadId: issuance.workloadId,
      ...(issuance.sessionName ? { RoleSessionName: issuance.sessionName } : {}),
      ...(issuance.expiration ? { Expiration: issuance.expiration } : {}),
    },
    userIdentity: {
      type: 'system',
      accountId: issuance.accountId,
      userName: `workload/${issuance.workloadName}`,
    },
    sourceIpAddress: request.sourceIp,
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
    ...(issuance.roleName
      ? {
          resourceType: 'ACS::RAM::Role',
          resourceName: `acs:ram::${issuance.accountId}:role/${issuance.roleName.toLowerCase()}`,
        }
      : {}),
    recipientAccountId: issuance.accountId,
    isGlobal: true,
    errorCode: issuance.refused ? 'Forbidden.WorkloadIdentity' : '',
    errorMessage: issuance.refused ? 'The workload credentials were refused.' : '',
  };
  return { accountId: issuance.accountId, event };
}
