/**
 * The audit trail read back as the calls the engine allowed: each successful API call event
 * of a user or a role session, mapped through its action definition to the RAM action and
 * the resource ARNs it was authorized on (entities resolved to their stored names).
 */
import type { UsedCall } from '../../analysis/unused.js';
import type { AuditEvent } from '../../audit/event.js';
import type { Services } from '../../domain/request-services.js';
import type { Principal } from '../../auth/principal.js';
import type { AnyActionDefinition } from '../registry.js';
import { SERVICE_PRODUCTS } from '../registry.js';
import { resolveTargets } from '../steps/authorize.js';
import { imsActions } from '../ims/index.js';
import { ramActions } from '../ram/index.js';
import { resourceManagerActions } from '../resourcemanager/index.js';
import { stsActions } from '../sts/index.js';
import { actiontrailActions } from '../actiontrail/index.js';

const PAGE = 200;
/** Most events read for one question. */
export const MAX_EVENTS = 50_000;

let definitions: Map<string, AnyActionDefinition> | undefined;

function definitionOf(serviceName: string, eventName: string): AnyActionDefinition | undefined {
  definitions ??= new Map(
    [...ramActions, ...imsActions, ...stsActions, ...resourceManagerActions, ...actiontrailActions].map(
      (d) => [`${SERVICE_PRODUCTS[d.service]}:${d.name}`, d],
    ),
  );
  return definitions.get(`${serviceName}:${eventName}`);
}

function principalOf(e: AuditEvent, accountId: string): Principal | undefined {
  const id = e.userIdentity;
  if (id.type === 'ram-user' && id.userName && id.principalId)
    return { type: 'RAMUser', accountId, userId: id.principalId, userName: id.userName };
  if (id.type === 'assumed-role' && id.userName && id.principalId) {
    const [roleName = '', sessionName = ''] = id.userName.split(':');
    const [roleId = ''] = id.principalId.split(':');
    return {
      type: 'AssumedRole',
      accountId,
      roleId,
      roleName,
      sessionName,
      accessKeyId: id.accessKeyId ?? '',
    };
  }
  return undefined;
}

async function callsOf(e: AuditEvent, accountId: string, services: Services): Promise<UsedCall[]> {
  if (e.eventType !== 'ApiCall' || e.errorCode !== '') return [];
  const principal = principalOf(e, accountId);
  const def = definitionOf(e.serviceName, e.eventName);
  if (!principal || !def?.authorize) return [];
  let params: unknown;
  try {
    params = def.params.parse(e.requestParameters);
  } catch {
    params = e.requestParameters;
  }
  let targets;
  try {
    const t = def.authorize({ requestId: e.eventId, accountId, principal, params });
    targets = await resolveTargets(Array.isArray(t) ? t : [t], services.names, services.roles);
  } catch {
    return [];
  }
  const who =
    principal.type === 'RAMUser'
      ? { principalType: 'RAMUser' as const, principalName: principal.userName }
      : { principalType: 'Role' as const, principalName: (principal as { roleName: string }).roleName };
  return targets.map((t) => ({ ...who, action: t.action, resource: t.resource, time: e.eventTime }));
}

/** The allowed calls of an account between two instants, oldest first. */
export async function readCalls(
  services: Services,
  accountId: string,
  from: Date,
  to: Date,
): Promise<UsedCall[]> {
  const trail = services.auditTrail;
  if (!trail) return [];
  const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  const out: UsedCall[] = [];
  let after;
  let read = 0;
  for (;;) {
    const page = await trail.lookup({
      accountId,
      startTime: iso(from),
      endTime: iso(to),
      filters: [{ key: 'EventType', value: 'ApiCall' }],
      direction: 'FORWARD',
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const e of page.events) out.push(...(await callsOf(e, accountId, services)));
    read += page.events.length;
    if (!page.next || read >= MAX_EVENTS) return out;
    after = page.next;
  }
}
