/**
 * The plan: what converging the live account to the organization file takes, as an ordered
 * list of changes, each one API call (so a run that stops at an error leaves everything it did
 * complete). Order: policies, groups, roles, users (then their console logon and keys),
 * memberships, attachments, settings; with --prune, removals last, in the reverse order.
 * Nothing absent from the file is removed without --prune.
 */
import { randomInt } from 'node:crypto';
import type { LiveState } from './live.js';
import { sameDocument, type OrgFile, type PolicyRef, type Settings } from './model.js';

export type ChangeKind = 'create' | 'update' | 'delete';

export interface Change {
  readonly kind: ChangeKind;
  /** e.g. `user alice`, `membership alice -> dev`. */
  readonly subject: string;
  /** What differs, for an update. */
  readonly detail?: string;
  readonly action: string;
  readonly params: Record<string, string>;
  /** Secrets the call creates are in its answer at these paths (written to the secrets file). */
  readonly secret?: { readonly kind: 'password' | 'accessKey'; readonly user: string };
}

const key = (s: string) => s.toLowerCase();
const refKey = (r: PolicyRef) => `${r.type}:${key(r.name)}`;

function byName<T extends { name: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((x) => [key(x.name), x]));
}

/** A password meeting any password policy the API allows (32 characters, every class). */
export function initialPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-.:=@^_~'];
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  const all = sets.join('');
  while (chars.length < 32) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/**
 * A setting as the service keeps it, so that a file spelling it another way the service reads the
 * same (`True`, `012`, `10.0.0.0/8; 127.0.0.0/8`) is no change: a second apply changes nothing.
 */
function settingText(key: string, value: unknown): string {
  const text = String(value).trim();
  if (/^(true|false)$/i.test(text)) return text.toLowerCase();
  if (/^[0-9]{1,15}$/.test(text)) return String(Number(text));
  if (key === 'LoginNetworkMasks')
    return text
      .split(';')
      .map((m) => m.trim())
      .filter((m) => m !== '')
      .join(';');
  return text;
}

function settingsChanges(
  action: string,
  subject: string,
  want: Settings | undefined,
  live: Settings,
): Change[] {
  if (!want) return [];
  const differ = Object.entries(want).filter(([k, v]) => settingText(k, live[k]) !== settingText(k, v));
  if (!differ.length) return [];
  return [
    {
      kind: 'update',
      subject,
      detail: differ.map(([k, v]) => `${k}: ${JSON.stringify(live[k])} -> ${JSON.stringify(v)}`).join(', '),
      action,
      params: Object.fromEntries(Object.entries(want).map(([k, v]) => [k, String(v)])),
    },
  ];
}

function fieldUpdates<T extends object>(
  want: T,
  live: T,
  wire: Partial<Record<keyof T & string, string>>,
): { detail: string; params: Record<string, string> } | undefined {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  for (const [field, param] of Object.entries(wire) as [keyof T & string, string][]) {
    const w = want[field] as string | undefined;
    const l = (live[field] as string | undefined) ?? '';
    if (w === undefined || w === l) continue;
    parts.push(`${field}: ${JSON.stringify(l)} -> ${JSON.stringify(w)}`);
    params[param] = w;
  }
  return parts.length ? { detail: parts.join(', '), params } : undefined;
}

export function plan(file: OrgFile, live: LiveState, prune: boolean): Change[] {
  const out: Change[] = [];
  const removals: Change[] = [];

  // Policies
  const livePolicies = byName(live.policies);
  for (const p of file.policies) {
    const l = livePolicies.get(key(p.name));
    if (!l) {
      out.push({
        kind: 'create',
        subject: `policy ${p.name}`,
        action: 'CreatePolicy',
        params: {
          PolicyName: p.name,
          PolicyDocument: p.document,
          ...(p.description ? { Description: p.description } : {}),
        },
      });
      continue;
    }
    if (!sameDocument(p.document, l.document)) {
      // A policy keeps at most five versions: the oldest one that is not the default makes room.
      if (l.versions.length >= 5) {
        const oldest = l.versions
          .filter((v) => !v.isDefault)
          .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))[0];
        if (oldest)
          out.push({
            kind: 'delete',
            subject: `policy ${l.name} version ${oldest.id}`,
            detail: 'to make room for the new version',
            action: 'DeletePolicyVersion',
            params: { PolicyName: l.name, VersionId: oldest.id },
          });
      }
      out.push({
        kind: 'update',
        subject: `policy ${l.name}`,
        detail: 'new default version of the document',
        action: 'CreatePolicyVersion',
        params: { PolicyName: l.name, PolicyDocument: p.document, SetAsDefault: 'true' },
      });
    }
    if (p.description !== undefined && p.description !== (l.description ?? '')) {
      out.push({
        kind: 'update',
        subject: `policy ${l.name}`,
        detail: `description: ${JSON.stringify(l.description ?? '')} -> ${JSON.stringify(p.description)}`,
        action: 'UpdatePolicyDescription',
        params: { PolicyName: l.name, NewDescription: p.description },
      });
    }
  }

  // Groups
  const liveGroups = byName(live.groups);
  for (const g of file.groups) {
    const l = liveGroups.get(key(g.name));
    if (!l) {
      out.push({
        kind: 'create',
        subject: `group ${g.name}`,
        action: 'CreateGroup',
        params: {
          GroupName: g.name,
          ...(g.comments ? { Comments: g.comments } : {}),
        },
      });
      continue;
    }
    const u = fieldUpdates<{ comments?: string }>(g, l, { comments: 'NewComments' });
    if (u)
      out.push({
        kind: 'update',
        subject: `group ${l.name}`,
        detail: u.detail,
        action: 'UpdateGroup',
        params: { GroupName: l.name, ...u.params },
      });
  }

  // Roles
  const liveRoles = byName(live.roles);
  for (const r of file.roles) {
    const l = liveRoles.get(key(r.name));
    if (!l) {
      out.push({
        kind: 'create',
        subject: `role ${r.name}`,
        action: 'CreateRole',
        params: {
          RoleName: r.name,
          AssumeRolePolicyDocument: r.trust,
          ...(r.description ? { Description: r.description } : {}),
          ...(r.maxSessionDuration ? { MaxSessionDuration: String(r.maxSessionDuration) } : {}),
        },
      });
      continue;
    }
    const parts: string[] = [];
    const params: Record<string, string> = {};
    if (!sameDocument(r.trust, l.trust)) {
      parts.push('trust policy');
      params.NewAssumeRolePolicyDocument = r.trust;
    }
    if (r.description !== undefined && r.description !== (l.description ?? '')) {
      parts.push(`description: ${JSON.stringify(l.description ?? '')} -> ${JSON.stringify(r.description)}`);
      params.NewDescription = r.description;
    }
    if (r.maxSessionDuration !== undefined && r.maxSessionDuration !== l.maxSessionDuration) {
      parts.push(`maxSessionDuration: ${l.maxSessionDuration} -> ${r.maxSessionDuration}`);
      params.NewMaxSessionDuration = String(r.maxSessionDuration);
    }
    if (parts.length)
      out.push({
        kind: 'update',
        subject: `role ${l.name}`,
        detail: parts.join(', '),
        action: 'UpdateRole',
        params: { RoleName: l.name, ...params },
      });
  }

  // Users, their console logon and AccessKeys
  const liveUsers = byName(live.users);
  for (const u of file.users) {
    const l = liveUsers.get(key(u.name));
    const name = l?.name ?? u.name;
    if (!l) {
      out.push({
        kind: 'create',
        subject: `user ${u.name}`,
        action: 'CreateUser',
        params: {
          UserName: u.name,
          ...(u.displayName ? { DisplayName: u.displayName } : {}),
          ...(u.email ? { Email: u.email } : {}),
          ...(u.mobilePhone ? { MobilePhone: u.mobilePhone } : {}),
          ...(u.comments ? { Comments: u.comments } : {}),
        },
      });
    } else {
      const up = fieldUpdates<{
        displayName?: string;
        email?: string;
        mobilePhone?: string;
        comments?: string;
      }>(u, l, {
        displayName: 'NewDisplayName',
        email: 'NewEmail',
        mobilePhone: 'NewMobilePhone',
        comments: 'NewComments',
      });
      if (up)
        out.push({
          kind: 'update',
          subject: `user ${name}`,
          detail: up.detail,
          action: 'UpdateUser',
          params: { UserName: name, ...up.params },
        });
    }
    if (u.console === false && l?.console) {
      out.push({
        kind: 'delete',
        subject: `console logon of ${name}`,
        action: 'DeleteLoginProfile',
        params: { UserName: name },
      });
    } else if (u.console) {
      const flags = {
        PasswordResetRequired: String(u.console.passwordResetRequired),
        MFABindRequired: String(u.console.mfaBindRequired),
      };
      if (!l?.console) {
        out.push({
          kind: 'create',
          subject: `console logon of ${name}`,
          detail: 'an initial password, written to the secrets file',
          action: 'CreateLoginProfile',
          params: { UserName: name, Password: initialPassword(), ...flags },
          secret: { kind: 'password', user: name },
        });
      } else {
        // passwordResetRequired asks a new logon's user to replace the initial password: once the
        // user has (the service then clears it), the file's `true` is met, never asked again. A
        // `false` in the file clears a pending request.
        const reset = u.console.passwordResetRequired && l.console.passwordResetRequired;
        if (
          l.console.passwordResetRequired !== reset ||
          l.console.mfaBindRequired !== u.console.mfaBindRequired
        ) {
          out.push({
            kind: 'update',
            subject: `console logon of ${name}`,
            detail: `passwordResetRequired ${l.console.passwordResetRequired} -> ${reset}, mfaBindRequired ${l.console.mfaBindRequired} -> ${u.console.mfaBindRequired}`,
            action: 'UpdateLoginProfile',
            params: { UserName: name, ...flags, PasswordResetRequired: String(reset) },
          });
        }
      }
    }
    if (u.accessKey === true && !(l?.accessKeys.length ?? 0)) {
      out.push({
        kind: 'create',
        subject: `AccessKey of ${name}`,
        detail: 'its secret written to the secrets file',
        action: 'CreateAccessKey',
        params: { UserName: name },
        secret: { kind: 'accessKey', user: name },
      });
    }
  }

  // Memberships
  for (const u of file.users) {
    const l = liveUsers.get(key(u.name));
    const name = l?.name ?? u.name;
    const have = new Set((l?.groups ?? []).map(key));
    const want = new Set(u.groups.map(key));
    for (const g of u.groups) {
      if (!have.has(key(g)))
        out.push({
          kind: 'create',
          subject: `membership ${name} -> ${g}`,
          action: 'AddUserToGroup',
          params: { UserName: name, GroupName: g },
        });
    }
    if (prune && l) {
      for (const g of l.groups) {
        if (!want.has(key(g)))
          removals.push({
            kind: 'delete',
            subject: `membership ${name} -> ${g}`,
            action: 'RemoveUserFromGroup',
            params: { UserName: name, GroupName: g },
          });
      }
    }
  }

  // Attachments
  const attachments = (
    kind: 'user' | 'group' | 'role',
    want: readonly { name: string; policies: readonly PolicyRef[] }[],
    live: ReadonlyMap<string, { name: string; policies: readonly PolicyRef[] }>,
  ) => {
    const param = kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName';
    const suffix = kind === 'user' ? 'User' : kind === 'group' ? 'Group' : 'Role';
    for (const w of want) {
      const l = live.get(key(w.name));
      const name = l?.name ?? w.name;
      const have = new Set((l?.policies ?? []).map(refKey));
      const wanted = new Set(w.policies.map(refKey));
      for (const p of w.policies) {
        if (!have.has(refKey(p)))
          out.push({
            kind: 'create',
            subject: `attachment ${p.type} ${p.name} -> ${kind} ${name}`,
            action: `AttachPolicyTo${suffix}`,
            params: { PolicyType: p.type, PolicyName: p.name, [param]: name },
          });
      }
      if (prune && l) {
        for (const p of l.policies) {
          if (!wanted.has(refKey(p)))
            removals.push({
              kind: 'delete',
              subject: `attachment ${p.type} ${p.name} -> ${kind} ${name}`,
              action: `DetachPolicyFrom${suffix}`,
              params: { PolicyType: p.type, PolicyName: p.name, [param]: name },
            });
        }
      }
    }
  };
  attachments('group', file.groups, liveGroups);
  attachments('role', file.roles, liveRoles);
  attachments('user', file.users, liveUsers);

  out.push(
    ...settingsChanges('SetPasswordPolicy', 'password policy', file.passwordPolicy, live.passwordPolicy),
  );
  out.push(
    ...settingsChanges(
      'SetSecurityPreference',
      'security preference',
      file.securityPreference,
      live.securityPreference,
    ),
  );

  if (prune) removals.push(...entityRemovals(file, live));
  return [...out, ...removals];
}

/** With --prune: users, roles, groups and custom policies the file does not name, with what holds them. */
function entityRemovals(file: OrgFile, live: LiveState): Change[] {
  const out: Change[] = [];
  const inFile = (list: readonly { name: string }[]) => new Set(list.map((x) => key(x.name)));
  const users = inFile(file.users);
  const groups = inFile(file.groups);
  const roles = inFile(file.roles);
  const policies = inFile(file.policies);
  for (const u of live.users) {
    if (users.has(key(u.name))) continue;
    for (const g of u.groups)
      out.push({
        kind: 'delete',
        subject: `membership ${u.name} -> ${g}`,
        action: 'RemoveUserFromGroup',
        params: { UserName: u.name, GroupName: g },
      });
    for (const p of u.policies)
      out.push({
        kind: 'delete',
        subject: `attachment ${p.type} ${p.name} -> user ${u.name}`,
        action: 'DetachPolicyFromUser',
        params: { PolicyType: p.type, PolicyName: p.name, UserName: u.name },
      });
    if (u.console)
      out.push({
        kind: 'delete',
        subject: `console logon of ${u.name}`,
        action: 'DeleteLoginProfile',
        params: { UserName: u.name },
      });
    for (const k of u.accessKeys)
      out.push({
        kind: 'delete',
        subject: `AccessKey ${k} of ${u.name}`,
        action: 'DeleteAccessKey',
        params: { UserName: u.name, UserAccessKeyId: k },
      });
    if (u.mfaDevice !== undefined) {
      out.push({
        kind: 'delete',
        subject: `MFA device binding of ${u.name}`,
        action: 'UnbindMFADevice',
        params: { UserName: u.name },
      });
      out.push({
        kind: 'delete',
        subject: `MFA device ${u.mfaDevice}`,
        action: 'DeleteVirtualMFADevice',
        params: { SerialNumber: u.mfaDevice },
      });
    }
    out.push({
      kind: 'delete',
      subject: `user ${u.name}`,
      action: 'DeleteUser',
      params: { UserName: u.name },
    });
  }
  for (const r of live.roles) {
    if (roles.has(key(r.name))) continue;
    for (const p of r.policies)
      out.push({
        kind: 'delete',
        subject: `attachment ${p.type} ${p.name} -> role ${r.name}`,
        action: 'DetachPolicyFromRole',
        params: { PolicyType: p.type, PolicyName: p.name, RoleName: r.name },
      });
    out.push({
      kind: 'delete',
      subject: `role ${r.name}`,
      action: 'DeleteRole',
      params: { RoleName: r.name },
    });
  }
  for (const g of live.groups) {
    if (groups.has(key(g.name))) continue;
    // Its members leave it before: the file's users by the memberships they are not given
    // (pruned above), the others with their own removal.
    for (const p of g.policies)
      out.push({
        kind: 'delete',
        subject: `attachment ${p.type} ${p.name} -> group ${g.name}`,
        action: 'DetachPolicyFromGroup',
        params: { PolicyType: p.type, PolicyName: p.name, GroupName: g.name },
      });
    out.push({
      kind: 'delete',
      subject: `group ${g.name}`,
      action: 'DeleteGroup',
      params: { GroupName: g.name },
    });
  }
  for (const p of live.policies) {
    if (policies.has(key(p.name))) continue;
    for (const v of p.versions) {
      if (!v.isDefault)
        out.push({
          kind: 'delete',
          subject: `policy ${p.name} version ${v.id}`,
          action: 'DeletePolicyVersion',
          params: { PolicyName: p.name, VersionId: v.id },
        });
    }
    out.push({
      kind: 'delete',
      subject: `policy ${p.name}`,
      action: 'DeletePolicy',
      params: { PolicyName: p.name },
    });
  }
  return out;
}
