import type { Principal } from '../../auth/principal.js';
import type { SelfService } from '../action.js';
import { missingParameter } from '../../errors.js';
import { nameKey } from '../../domain/common.js';

/**
 * Whose AccessKeys an operation with an optional UserName acts on: the named user; without
 * a name, the calling RAM user itself, or the root account's own keys for a root caller.
 * A role session has no user of its own: it must name one (MissingUserName).
 */
export type KeyOwner = { readonly kind: 'user'; readonly userName: string } | { readonly kind: 'root' };

export function keyOwner(principal: Principal, userName: string | undefined): KeyOwner {
  if (userName !== undefined) return { kind: 'user', userName };
  switch (principal.type) {
    case 'RAMUser':
      return { kind: 'user', userName: principal.userName };
    case 'Root':
      return { kind: 'root' };
    case 'AssumedRole':
    case 'Anonymous':
      throw missingParameter('UserName');
  }
}

/**
 * `{ selfService }` when a RAM user acts on its own user (names compare ignoring case), for
 * the security preference to allow it; nothing otherwise.
 */
export function selfService(
  principal: Principal,
  userName: string | undefined,
  kind: SelfService,
): { readonly selfService?: SelfService } {
  if (principal.type !== 'RAMUser') return {};
  if (userName !== undefined && nameKey(userName) !== nameKey(principal.userName)) return {};
  return { selfService: kind };
}

/**
 * What the domain needs to apply the self-service rules of `kind`: the caller's user name when
 * the request was allowed by the security preference where no policy allowed it (the authorize
 * step lists those kinds in `req.allowedBySelfService`), nothing when a policy allowed it (or
 * the caller is the root).
 */
export function selfServiceOf(
  req: { readonly principal: Principal; readonly allowedBySelfService?: readonly SelfService[] },
  kind: SelfService,
): { readonly selfService?: string } {
  if (req.principal.type !== 'RAMUser' || !req.allowedBySelfService?.includes(kind)) return {};
  return { selfService: req.principal.userName };
}
