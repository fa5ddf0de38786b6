/**
 * The live account, read through the RAM API with the caller's credentials, in the shapes of
 * the organization file (src/cli/org/model.ts).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON of many shapes, read by wire name */
import type { OrgConsole, PolicyRef, Settings } from './model.js';

/** One RAM call: its JSON answer; an API error is thrown (ApiCallError). */
export type RamCall = (action: string, params?: Record<string, string>) => Promise<Record<string, any>>;

export interface LiveUser {
  readonly name: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly mobilePhone?: string;
  readonly comments?: string;
  readonly groups: readonly string[];
  readonly policies: readonly PolicyRef[];
  readonly console?: OrgConsole;
  readonly accessKeys: readonly string[];
  /** The serial number of the virtual MFA device bound to the user. */
  readonly mfaDevice?: string;
}

export interface LiveState {
  readonly passwordPolicy: Settings;
  readonly securityPreference: Settings;
  readonly policies: readonly {
    name: string;
    description?: string;
    document: string;
    versions: readonly { id: string; isDefault: boolean }[];
  }[];
  readonly groups: readonly {
    name: string;
    displayName?: string;
    comments?: string;
    policies: readonly PolicyRef[];
  }[];
  readonly users: readonly LiveUser[];
  readonly roles: readonly {
    name: string;
    description?: string;
    maxSessionDuration: number;
    trust: string;
    policies: readonly PolicyRef[];
  }[];
}

/** Every item of a Marker-paged list. */
async function all(
  call: RamCall,
  action: string,
  path: readonly string[],
  params: Record<string, string> = {},
): Promise<any[]> {
  const out: any[] = [];
  let marker: string | undefined;
  do {
    const page = await call(action, { ...params, MaxItems: '100', ...(marker ? { Marker: marker } : {}) });
    let list: any = page;
    for (const p of path) list = list?.[p];
    out.push(...((list as any[]) ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

const attached = (list: any[]): PolicyRef[] =>
  list.map((p) => ({ type: p.PolicyType === 'System' ? 'System' : 'Custom', name: p.PolicyName }));

/** `{ key: v }` for a non-empty text, else nothing (the answers write absent fields as ''). */
function optional<K extends string>(key: K, v: unknown): Partial<Record<K, string>> {
  return typeof v === 'string' && v !== '' ? ({ [key]: v } as Record<K, string>) : {};
}

export async function readLive(call: RamCall): Promise<LiveState> {
  const pp = (await call('GetPasswordPolicy')).PasswordPolicy ?? {};
  const sp = (await call('GetSecurityPreference')).SecurityPreference ?? {};
  const securityPreference: Record<string, string | number | boolean> = {};
  for (const group of Object.values(sp)) {
    if (group && typeof group === 'object') Object.assign(securityPreference, group);
  }

  const policies = [];
  for (const p of await all(call, 'ListPolicies', ['Policies', 'Policy'], { PolicyType: 'Custom' })) {
    const got = await call('GetPolicy', { PolicyType: 'Custom', PolicyName: p.PolicyName });
    const versions = await call('ListPolicyVersions', { PolicyType: 'Custom', PolicyName: p.PolicyName });
    policies.push({
      name: p.PolicyName as string,
      ...optional('description', got.Policy?.Description),
      document: String(got.DefaultPolicyVersion?.PolicyDocument ?? '{}'),
      versions: ((versions.PolicyVersions?.PolicyVersion ?? []) as any[]).map((v) => ({
        id: String(v.VersionId),
        isDefault: v.IsDefaultVersion === true,
      })),
    });
  }

  const groups = [];
  for (const g of await all(call, 'ListGroups', ['Groups', 'Group'])) {
    const ps = await call('ListPoliciesForGroup', { GroupName: g.GroupName });
    groups.push({
      name: g.GroupName as string,
      ...optional('comments', g.Comments),
      policies: attached(ps.Policies?.Policy ?? []),
    });
  }

  // The users' MFA devices (a user who has one cannot be deleted before it is unbound). A caller
  // not allowed to list them plans without them.
  const mfaOf = new Map<string, string>();
  try {
    const devices = (await call('ListVirtualMFADevices')).VirtualMFADevices?.VirtualMFADevice ?? [];
    for (const d of devices as any[])
      if (d.User?.UserName) mfaOf.set(d.User.UserName as string, d.SerialNumber as string);
  } catch (err) {
    if ((err as { code?: string }).code !== 'NoPermission') throw err;
  }

  const users: LiveUser[] = [];
  for (const u of await all(call, 'ListUsers', ['Users', 'User'])) {
    const name = u.UserName as string;
    const memberOf = await call('ListGroupsForUser', { UserName: name });
    const ps = await call('ListPoliciesForUser', { UserName: name });
    const keys = await call('ListAccessKeys', { UserName: name });
    let consoleSpec: OrgConsole | undefined;
    try {
      const lp = (await call('GetLoginProfile', { UserName: name })).LoginProfile;
      consoleSpec = {
        passwordResetRequired: lp.PasswordResetRequired === true,
        mfaBindRequired: lp.MFABindRequired === true,
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EntityNotExist.User.LoginProfile') throw err;
    }
    users.push({
      name,
      ...optional('displayName', u.DisplayName),
      ...optional('email', u.Email),
      ...optional('mobilePhone', u.MobilePhone),
      ...optional('comments', u.Comments),
      groups: ((memberOf.Groups?.Group ?? []) as any[]).map((g) => g.GroupName as string),
      policies: attached(ps.Policies?.Policy ?? []),
      ...(consoleSpec ? { console: consoleSpec } : {}),
      accessKeys: ((keys.AccessKeys?.AccessKey ?? []) as any[]).map((k) => k.AccessKeyId as string),
      ...(mfaOf.has(name) ? { mfaDevice: mfaOf.get(name)! } : {}),
    });
  }

  const roles = [];
  for (const r of await all(call, 'ListRoles', ['Roles', 'Role'])) {
    const got = (await call('GetRole', { RoleName: r.RoleName })).Role;
    const ps = await call('ListPoliciesForRole', { RoleName: r.RoleName });
    roles.push({
      name: r.RoleName as string,
      ...optional('description', got.Description),
      maxSessionDuration: Number(got.MaxSessionDuration ?? 3600),
      trust: String(got.AssumeRolePolicyDocument ?? '{}'),
      policies: attached(ps.Policies?.Policy ?? []),
    });
  }
  return { passwordPolicy: pp, securityPreference, policies, groups, users, roles };
}
