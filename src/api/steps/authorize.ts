import { ramResourceArn, systemPolicyArn } from '../../arn.js';
import type { AuthorizationTarget, EntityRef, ResolvedTarget } from '../action.js';
import { buildRequestContext } from '../request-context.js';
import type { Services } from '../services.js';
import { need, type Step } from './state.js';

/**
 * The ARN an entity reference is authorized against: built from the stored entity (its stored
 * name; a System policy's name as the catalogue spells it), or from the name as given when no
 * such entity exists yet. This is the only place a caller-named entity becomes an ARN.
 */
export async function resolveEntityArn(ref: EntityRef, names: Services['names']): Promise<string> {
  if (ref.system) return systemPolicyArn((await names.systemPolicyName(ref.name)) ?? ref.name);
  const stored = await names.storedName(ref.accountId, ref.type, ref.name);
  return ramResourceArn(ref.accountId, ref.type, stored ?? ref.name);
}

export async function resolveTargets(
  targets: readonly AuthorizationTarget[],
  names: Services['names'],
): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  for (const t of targets) {
    out.push(
      typeof t.resource === 'string'
        ? (t as ResolvedTarget)
        : { ...t, resource: await resolveEntityArn(t.resource, names) },
    );
  }
  return out;
}

/** The request context, then every authorization target of the action through the engine. */
export const authorizeStep: Step = async (state, env) => {
  const auth = need(state.authentication, 'authentication');
  const def = need(state.definition, 'definition');
  const h = state.wire.headers;
  const principal = auth.kind === 'signed' ? auth.principal : undefined;
  const context = buildRequestContext({
    sourceIp: state.wire.sourceIp,
    now: state.receivedAt,
    secure: state.wire.secure,
    principal,
    accessKeyId: auth.kind === 'signed' ? auth.accessKeyId : undefined,
    userAgent: h['user-agent'],
    referer: typeof h.referer === 'string' ? h.referer : undefined,
  });
  state.context = context;
  if (!principal || !def.authorize) return;
  const targets = def.authorize({
    requestId: state.requestId,
    accountId: principal.accountId,
    principal,
    params: state.params,
  });
  const list = Array.isArray(targets) ? targets : [targets as AuthorizationTarget];
  // An entity reference always names an entity of the caller's own account, where the root
  // may do anything: only other principals need the stored names.
  const resolved =
    principal.type === 'Root'
      ? list.map((t) => ({
          ...t,
          resource:
            typeof t.resource === 'string'
              ? t.resource
              : ramResourceArn(t.resource.accountId, t.resource.type, t.resource.name),
        }))
      : await resolveTargets(list, env.services.names);
  state.allowedBySelfService = await env.authorizer.authorize(
    principal,
    resolved,
    context,
    auth.kind === 'signed' ? auth.permissionsVersion : undefined,
  );
};
