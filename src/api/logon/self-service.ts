/**
 * What a console session does to its own credentials (its password, its MFA device, its
 * security keys) is authorized like the API call that does the same thing: the session's
 * principal, that call's RAM action and resource, marked self-service, through the API's
 * authorizer (src/api/authorize.ts). So the logon surface refuses exactly what the API
 * refuses, with the same answer (NoPermission and its AccessDeniedDetail): an explicit Deny of
 * an identity or control policy refuses it, a control policy's bound stands, and the security
 * preference lifts only a missing Allow of the person's own policies. It decides nothing itself.
 */
import type { SessionPrincipal } from '../../domain/index.js';
import type { EntityNames } from '../../domain/names.js';
import type { AuthorizationTarget, SelfService } from '../action.js';
import type { Authorizer } from '../authorize.js';
import { ramResource } from '../ram/resources.js';
import { buildRequestContext } from '../request-context.js';
import { resolveTargets } from '../steps/authorize.js';
import type { WireRequest } from '../protocol/wire.js';

/** Who acts: the session's principal and whether its logon passed MFA (`acs:MFAPresent`). */
export interface SessionActor {
  readonly principal: SessionPrincipal;
  readonly mfaPresent: boolean;
}

/** Throws the refusal (NoPermission) when a target is not allowed; resolves otherwise. */
export type SessionAuthorizer = (
  actor: SessionActor,
  req: WireRequest,
  targets: readonly AuthorizationTarget[],
) => Promise<void>;

export function createSessionAuthorizer(
  authorizer: Authorizer,
  names: EntityNames,
  now: () => Date,
): SessionAuthorizer {
  return async ({ principal, mfaPresent }, req, targets) => {
    const h = req.headers;
    const context = buildRequestContext({
      sourceIp: req.sourceIp,
      now: now(),
      secure: req.secure,
      principal,
      accessKeyId: undefined,
      mfaPresent,
      userAgent: h['user-agent'],
      referer: typeof h.referer === 'string' ? h.referer : undefined,
    });
    const resolved = await resolveTargets(targets, principal.type === 'Root' ? undefined : names);
    await authorizer.authorize(principal, resolved, context);
  };
}

/**
 * The target of an API call on the person's own user (ChangePassword, BindMFADevice,
 * UnbindMFADevice): a RAM user's own user, self-service of `kind`; the root's account (the
 * root may do anything in its own account).
 */
export function ownUserTarget(p: SessionPrincipal, action: string, kind: SelfService): AuthorizationTarget {
  return p.type === 'RAMUser'
    ? { action, resource: ramResource.user(p.accountId, p.userName), selfService: kind }
    : { action, resource: ramResource.account(p.accountId) };
}

/** CreateVirtualMFADevice of the device about to be created for the person. */
export function newDeviceTarget(p: SessionPrincipal, deviceName: string): AuthorizationTarget {
  return {
    action: 'ram:CreateVirtualMFADevice',
    resource: ramResource.mfa(p.accountId, deviceName),
    ...(p.type === 'RAMUser' ? { selfService: 'MFADevices' as const } : {}),
  };
}
