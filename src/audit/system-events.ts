import { randomUUID } from 'node:crypto';
import type { IdleChange } from '../domain/index.js';
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
