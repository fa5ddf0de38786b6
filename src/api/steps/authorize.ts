import { ramResourceArn, roleArn, roleArnAsStored, systemPolicyArn } from '../../arn.js';
import type { AuthorizationTarget, EntityRef, ResolvedTarget } from '../action.js';
import { buildRequestContext } from '../request-context.js';
import type { Services } from '../../domain/request-services.js';
import { isEntityName } from '../../domain/names.js';
import { isAssumeRole } from '../../policy/interpret.js';
import { need, type Step } from './state.js';

/**
 * The ARN an entity reference is authorized against: built from the stored entity (its stored
 * name; a System policy's name as the catalogue spells it), or from the name as given when no
 * such entity exists yet. This is the only place a caller-named entity becomes an ARN.
 */
function entityArn(ref: EntityRef, stored: string | undefined): string {
  const name = stored ?? ref.name;
  return ref.system ? systemPolicyArn(name) : ramResourceArn(ref.accountId, ref.type, name);
}

export async function resolveEntityArn(ref: EntityRef, names: Services['names']): Promise<string> {
  const stored = ref.system
    ? await names.systemPolicyName(ref.name)
    : ref.by !== undefined
      ? await names.userNameBy(ref.accountId, ref.by, ref.name)
      : await names.storedName(ref.accountId, ref.type, ref.name);
  return entityArn(ref, stored);
}

/**
 * Every target with its resource as an ARN. Without `names` (the root, who may do anything in
 * its own account, where every entity reference points) the names are taken as given.
 */
export async function resolveTargets(
  targets: readonly AuthorizationTarget[],
  names: Services['names'] | undefined,
  roles?: Services['roles'],
): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  for (const t of targets) {
    const r = t.resource;
    if (t.trustPolicy && typeof r !== 'string' && roles) out.push(await trustTarget(t, r, roles));
    else if (typeof r === 'string') out.push(t as ResolvedTarget);
    else out.push({ ...t, resource: names ? await resolveEntityArn(r, names) : entityArn(r, undefined) });
  }
  return out;
}

/**
 * A role to assume: its identity ARN (`acs:ram::<account>:role/<name in lower case>`, the
 * form AssumeRole's RoleArn, GetRole and trust policies use) built from the stored name, and
 * its trust policy as the resource policy of the decision. The ARN in the role's stored case is
 * decided as well (`alsoAs`): a policy may name the role either way, as the ARN answers give it
 * or as the role was named, and a Deny in either spelling holds for every spelling of RoleArn. A
 * role that does not exist keeps the caller's name and has no trust policy: nothing trusts the
 * caller, the same answer as a role that does not trust it, so the answer does not tell whether
 * a role exists.
 */
export async function trustTarget(
  t: AuthorizationTarget,
  ref: EntityRef,
  roles: Services['roles'],
): Promise<ResolvedTarget> {
  const role = await roles.findRole(ref.accountId, ref.name);
  const resource = roleArn(ref.accountId, role?.roleName ?? ref.name);
  const asStored = role ? roleArnAsStored(ref.accountId, role.roleName) : resource;
  return {
    ...t,
    resource,
    ...(asStored !== resource ? { alsoAs: asStored } : {}),
    resourceOwnerAccountId: ref.accountId,
    ...(role
      ? {
          resourcePolicy: {
            kind: 'trust-policy',
            name: role.roleName,
            ownerAccountId: ref.accountId,
            document: role.trustPolicy,
          },
        }
      : {}),
  };
}

/**
 * The role of `sts:AssumeRole` on `acs:ram:<region>:<account>:role/<name>` (any case of the
 * action and of the ARN's fixed parts, as AssumeRole's RoleArn), for trustTarget; undefined for
 * any other request.
 */
export function assumedRoleRef(action: string, resource: string): EntityRef | undefined {
  if (!isAssumeRole(action)) return undefined;
  const m = /^acs:ram:[^:]*:([0-9]{16}):role\/([^/]+)$/i.exec(resource);
  if (!m || !isEntityName('role', m[2]!)) return undefined;
  return { kind: 'entity', accountId: m[1]!, type: 'role', name: m[2]! };
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
    mfaPresent: auth.kind === 'signed' && auth.mfaPresent === true,
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
  const resolved = await resolveTargets(
    list,
    principal.type === 'Root' ? undefined : env.services.names,
    env.services.roles,
  );
  state.allowedBySelfService = await env.authorizer.authorize(
    principal,
    resolved,
    context,
    auth.kind === 'signed' ? auth.permissionsVersion : undefined,
  );
  state.allowed = true;
};
