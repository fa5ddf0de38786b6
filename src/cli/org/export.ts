/** `rampart export`: the live account as an organization file (no secrets: none can be read back). */
import { stringify } from 'yaml';
import type { LiveState } from './live.js';
import type { PolicyRef } from './model.js';

const names = (refs: readonly PolicyRef[]) => refs.map((r) => r.name);
const json = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Keys with empty values left out, so that export then plan shows no change. */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as Partial<T>;
}

export function exportYaml(live: LiveState): string {
  const doc = {
    passwordPolicy: live.passwordPolicy,
    securityPreference: Object.fromEntries(
      Object.entries(live.securityPreference).filter(([k]) =>
        [
          'EnableSaveMFATicket',
          'AllowUserToChangePassword',
          'AllowUserToManageAccessKeys',
          'AllowUserToManageMFADevices',
          'AllowUserToManagePublicKeys',
          'LoginSessionDuration',
          'LoginNetworkMasks',
        ].includes(k),
      ),
    ),
    policies: live.policies.map((p) =>
      compact({ name: p.name, description: p.description, document: json(p.document) }),
    ),
    groups: live.groups.map((g) =>
      compact({
        name: g.name,
        displayName: g.displayName,
        comments: g.comments,
        policies: names(g.policies),
      }),
    ),
    users: live.users.map((u) =>
      compact({
        name: u.name,
        displayName: u.displayName,
        email: u.email,
        mobilePhone: u.mobilePhone,
        comments: u.comments,
        groups: u.groups,
        policies: names(u.policies),
        console: u.console ?? false,
        ...(u.accessKeys.length ? { accessKey: true } : {}),
      }),
    ),
    roles: live.roles.map((r) =>
      compact({
        name: r.name,
        description: r.description,
        maxSessionDuration: r.maxSessionDuration,
        trust: json(r.trust),
        policies: names(r.policies),
      }),
    ),
  };
  return `# The RAM setup of an account, written by rampart export.\n${stringify(doc, { lineWidth: 0 })}`;
}
