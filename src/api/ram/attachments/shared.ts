import type { ActionRequest, EntityRef } from '../../action.js';
import { defineAction } from '../../action.js';
import type { AttachmentTarget } from '../../../domain/index.js';
import { invalidParameter } from '../../../errors.js';
import { p, params } from '../../params.js';
import { ramResource } from '../resources.js';
import { attachedPolicyView } from '../views.js';

type Kind = 'User' | 'Group' | 'Role';

const targetParam = { User: p.userName, Group: p.groupName, Role: p.roleName } as const;

function target(kind: Kind, name: string): AttachmentTarget {
  switch (kind) {
    case 'User':
      return { kind: 'user', userName: name };
    case 'Group':
      return { kind: 'group', groupName: name };
    case 'Role':
      return { kind: 'role', roleName: name };
  }
}

function targetRef(kind: Kind, accountId: string, name: string): EntityRef {
  switch (kind) {
    case 'User':
      return ramResource.user(accountId, name);
    case 'Group':
      return ramResource.group(accountId, name);
    case 'Role':
      return ramResource.role(accountId, name);
  }
}

/**
 * Rampart attaches policies at account scope only. A ResourceGroupId other than the
 * account's own id would ask for a narrower scope; granting account scope instead would
 * widen the permission, so it is refused.
 */
function checkScope(
  req: Pick<ActionRequest<{ ResourceGroupId: string | undefined }>, 'accountId' | 'params'>,
) {
  const rg = req.params.ResourceGroupId;
  if (rg !== undefined && rg !== req.accountId) {
    throw invalidParameter('ResourceGroupId', 'is not supported: policies are attached at account scope.');
  }
}

const nameKey = { User: 'UserName', Group: 'GroupName', Role: 'RoleName' } as const;

/** AttachPolicyToUser / Group / Role and the Detach counterparts. */
export function attachmentAction(verb: 'Attach' | 'Detach', kind: Kind) {
  const name = verb === 'Attach' ? `AttachPolicyTo${kind}` : `DetachPolicyFrom${kind}`;
  return defineAction({
    service: 'ram',
    name,
    params: params({
      PolicyType: p.policyType(),
      PolicyName: p.policyName(),
      [nameKey[kind]]: targetParam[kind](),
      ResourceGroupId: p.string(64).optional(),
    } as {
      PolicyType: ReturnType<typeof p.policyType>;
      PolicyName: ReturnType<typeof p.policyName>;
      ResourceGroupId: ReturnType<ReturnType<typeof p.string>['optional']>;
    } & Record<(typeof nameKey)[Kind], ReturnType<typeof p.userName>>),
    authorize: (req) => [
      { action: `ram:${name}`, resource: targetRef(kind, req.accountId, req.params[nameKey[kind]]) },
      {
        action: `ram:${name}`,
        resource: ramResource.policy(req.accountId, req.params.PolicyType, req.params.PolicyName),
      },
    ],
    handle: async (req, { domain }) => {
      checkScope(req);
      const t = target(kind, req.params[nameKey[kind]]);
      if (verb === 'Attach') {
        await domain.attachments.attach(req.accountId, t, req.params.PolicyType, req.params.PolicyName);
      } else {
        await domain.attachments.detach(req.accountId, t, req.params.PolicyType, req.params.PolicyName);
      }
      return {};
    },
  });
}

/** ListPoliciesForUser / Group / Role. */
export function listPoliciesForAction(kind: Kind) {
  const name = `ListPoliciesFor${kind}`;
  return defineAction({
    service: 'ram',
    name,
    params: params({ [nameKey[kind]]: targetParam[kind]() } as Record<
      (typeof nameKey)[Kind],
      ReturnType<typeof p.userName>
    >),
    authorize: (req) => ({
      action: `ram:${name}`,
      resource: targetRef(kind, req.accountId, req.params[nameKey[kind]]),
    }),
    handle: async (req, { domain }) => {
      const list = await domain.attachments.listForTarget(
        req.accountId,
        target(kind, req.params[nameKey[kind]]),
      );
      return { Policies: { Policy: list.map(attachedPolicyView) } };
    },
  });
}
