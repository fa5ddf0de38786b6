/**
 * The organization file (`org.yaml`): an account's RAM setup as one declarative document that
 * `rampart plan` compares with the live account and `rampart apply` converges it to. Its JSON
 * Schema is schema/org.schema.json (for editor completion); this module is what enforces it,
 * with the line and column of every problem.
 *
 *   passwordPolicy:      SetPasswordPolicy parameters (MinimumPasswordLength: 12, ...)
 *   securityPreference:  SetSecurityPreference parameters (EnforceMFAForLogin: true, ...)
 *   policies:            custom policies: name, description, document (inline) or file
 *   groups:              name, comments, policies
 *   users:               name, displayName, email, mobilePhone, comments, groups, policies,
 *                        console: {passwordResetRequired, mfaBindRequired} | false, accessKey: true
 *   roles:               name, description, maxSessionDuration, trust (inline) or trustFile, policies
 *
 * A policy named in `policies:` of a group, user or role is the custom policy of that name
 * when the file defines one, else a System policy of the catalogue.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { findSystemPolicy, validatePolicy } from '../../policy/index.js';

export interface PolicyRef {
  readonly type: 'System' | 'Custom';
  /** The System policy's catalogue spelling, or the custom policy's name as the file writes it. */
  readonly name: string;
}

export interface OrgPolicy {
  readonly name: string;
  readonly description?: string;
  /** The document as JSON text. */
  readonly document: string;
}

export interface OrgGroup {
  readonly name: string;
  readonly comments?: string;
  readonly policies: readonly PolicyRef[];
}

export interface OrgConsole {
  readonly passwordResetRequired: boolean;
  readonly mfaBindRequired: boolean;
}

export interface OrgUser {
  readonly name: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly mobilePhone?: string;
  readonly comments?: string;
  readonly groups: readonly string[];
  readonly policies: readonly PolicyRef[];
  /** undefined: left as it is; false: no console logon; an object: a logon with these flags. */
  readonly console?: OrgConsole | false;
  /** true: the user has an AccessKey (one is created when it has none). */
  readonly accessKey?: boolean;
}

export interface OrgRole {
  readonly name: string;
  readonly description?: string;
  readonly maxSessionDuration?: number;
  /** The trust policy as JSON text. */
  readonly trust: string;
  readonly policies: readonly PolicyRef[];
}

export type Settings = Readonly<Record<string, string | number | boolean>>;

export interface OrgFile {
  readonly passwordPolicy?: Settings;
  readonly securityPreference?: Settings;
  readonly policies: readonly OrgPolicy[];
  readonly groups: readonly OrgGroup[];
  readonly users: readonly OrgUser[];
  readonly roles: readonly OrgRole[];
}

export class OrgFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'OrgFileError';
  }
}

const PASSWORD_POLICY_KEYS = [
  'MinimumPasswordLength',
  'RequireLowercaseCharacters',
  'RequireUppercaseCharacters',
  'RequireNumbers',
  'RequireSymbols',
  'HardExpiry',
  'MaxLoginAttemps',
  'PasswordReusePrevention',
  'MaxPasswordAge',
];
const SECURITY_PREFERENCE_KEYS = [
  'EnableSaveMFATicket',
  'AllowUserToChangePassword',
  'AllowUserToManageAccessKeys',
  'AllowUserToManageMFADevices',
  'AllowUserToManagePublicKeys',
  'LoginSessionDuration',
  'LoginNetworkMasks',
];

type Path = readonly (string | number)[];

/** Reads and checks an organization file; every problem at once, each with its line and column. */
export function readOrgFile(file: string): OrgFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OrgFileError([`cannot read ${file}: ${(err as Error).message}`]);
  }
  return parseOrgFile(text, file, dirname(resolve(file)));
}

export function parseOrgFile(text: string, file: string, baseDir: string): OrgFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    throw new OrgFileError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${file}${at ? `:${at.line}:${at.col}` : ''}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  /** Line and column of the node at `path`; of its key, for a problem with the key itself. */
  const where = (path: Path, atKey: boolean): { line: number; col: number } | undefined => {
    let node: unknown;
    if (atKey && path.length > 0) {
      const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      node = (parent as { items?: { key?: unknown }[] } | undefined)?.items?.find(
        (pair) => (pair.key as { value?: unknown } | undefined)?.value === path.at(-1),
      )?.key;
    } else node = doc.getIn(path, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? lines.linePos(range[0]) : undefined;
  };
  const found: { at?: { line: number; col: number }; text: string }[] = [];
  const problem = (path: Path, message: string) => {
    const at = where(path, message.startsWith('unknown'));
    found.push({ ...(at ? { at } : {}), text: `${path.join('.')}: ${message}` });
  };
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return { policies: [], groups: [], users: [], roles: [] };
  if (!isRecord(root))
    throw new OrgFileError([`${file}: the file must be a mapping (policies:, groups:, users:, roles:, ...)`]);
  const known = ['passwordPolicy', 'securityPreference', 'policies', 'groups', 'users', 'roles'];
  for (const k of Object.keys(root))
    if (!known.includes(k)) problem([k], `unknown key (expected one of ${known.join(', ')})`);

  const settings = (key: string, allowed: readonly string[]): Settings | undefined => {
    const v = root[key];
    if (v === undefined) return undefined;
    if (!isRecord(v)) {
      problem([key], 'must be a mapping');
      return undefined;
    }
    const out: Record<string, string | number | boolean> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!allowed.includes(k)) problem([key, k], `unknown setting (expected one of ${allowed.join(', ')})`);
      else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
      else problem([key, k], 'must be a string, a number or true/false');
    }
    return out;
  };

  const list = (key: string): { item: Record<string, unknown>; path: Path }[] => {
    const v = root[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problem([key], 'must be a list');
      return [];
    }
    return v.flatMap((item, i) => {
      if (!isRecord(item)) {
        problem([key, i], 'must be a mapping with a name');
        return [];
      }
      return [{ item, path: [key, i] }];
    });
  };

  const str = (
    item: Record<string, unknown>,
    path: Path,
    key: string,
    required = false,
  ): string | undefined => {
    const v = item[key];
    if (v === undefined || v === null) {
      if (required) problem(path, `${key} is required`);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      problem([...path, key], 'must be text');
      return undefined;
    }
    return String(v);
  };

  const only = (item: Record<string, unknown>, path: Path, keys: readonly string[]) => {
    for (const k of Object.keys(item))
      if (!keys.includes(k)) problem([...path, k], `unknown key (expected one of ${keys.join(', ')})`);
  };

  const names = (what: string, entries: { item: Record<string, unknown>; path: Path }[]) => {
    const seen = new Map<string, Path>();
    for (const { item, path } of entries) {
      const n = str(item, path, 'name', true);
      if (n === undefined) continue;
      const k = n.toLowerCase();
      if (seen.has(k)) problem([...path, 'name'], `${what} ${n} is defined twice (names ignore case)`);
      seen.set(k, path);
    }
    return seen;
  };

  const documentOf = (
    item: Record<string, unknown>,
    path: Path,
    inline: string,
    fileKey: string,
    kind: 'permission' | 'trust',
  ): string | undefined => {
    let textDoc: string | undefined;
    if (item[inline] !== undefined && item[fileKey] !== undefined)
      problem(path, `give ${inline} or ${fileKey}, not both`);
    if (item[inline] !== undefined) {
      const d = item[inline];
      textDoc = typeof d === 'string' ? d : JSON.stringify(d);
    } else if (typeof item[fileKey] === 'string') {
      try {
        // Only a file in the organization file's directory or below it, links resolved: a file
        // from a pull request must not make plan read (and quote, in a problem) one elsewhere.
        const real = realpathSync(resolve(baseDir, item[fileKey] as string));
        const root = realpathSync(baseDir);
        if (!real.startsWith(root.endsWith(sep) ? root : root + sep)) {
          problem([...path, fileKey], "must be a file in the organization file's directory or below it");
          return undefined;
        }
        textDoc = readFileSync(real, 'utf8');
      } catch (err) {
        problem([...path, fileKey], `cannot read: ${(err as Error).message}`);
        return undefined;
      }
    } else {
      problem(path, `${inline} (inline) or ${fileKey} (a file) is required`);
      return undefined;
    }
    const issues = validatePolicy(textDoc, kind);
    if (issues.length) {
      problem(
        [...path, item[inline] !== undefined ? inline : fileKey],
        `the ${kind === 'trust' ? 'trust ' : ''}policy does not validate: ${issues[0]!.code}: ${issues[0]!.message}`,
      );
      return undefined;
    }
    return JSON.stringify(JSON.parse(textDoc));
  };

  const policyEntries = list('policies');
  const customNames = names('policy', policyEntries);
  const policies: OrgPolicy[] = [];
  for (const { item, path } of policyEntries) {
    only(item, path, ['name', 'description', 'document', 'file']);
    const name = str(item, path, 'name');
    const document = documentOf(item, path, 'document', 'file', 'permission');
    const description = str(item, path, 'description');
    if (name && document)
      policies.push({ name, document, ...(description !== undefined ? { description } : {}) });
  }

  const refs = (item: Record<string, unknown>, path: Path): PolicyRef[] => {
    const v = item.policies;
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problem([...path, 'policies'], 'must be a list of policy names');
      return [];
    }
    return v.flatMap((n, i): PolicyRef[] => {
      if (typeof n !== 'string') {
        problem([...path, 'policies', i], 'must be a policy name');
        return [];
      }
      if (customNames.has(n.toLowerCase())) return [{ type: 'Custom', name: n }];
      const system = findSystemPolicy(n);
      if (system) return [{ type: 'System', name: system.name }];
      problem([...path, 'policies', i], `no policy ${n}: define it under policies:, or name a System policy`);
      return [];
    });
  };

  const groupEntries = list('groups');
  const groupNames = names('group', groupEntries);
  const groups: OrgGroup[] = [];
  for (const { item, path } of groupEntries) {
    only(item, path, ['name', 'comments', 'policies']);
    const name = str(item, path, 'name');
    const comments = str(item, path, 'comments');
    const p = refs(item, path);
    if (name)
      groups.push({
        name,
        policies: p,
        ...(comments !== undefined ? { comments } : {}),
      });
  }

  const userEntries = list('users');
  names('user', userEntries);
  const users: OrgUser[] = [];
  for (const { item, path } of userEntries) {
    only(item, path, [
      'name',
      'displayName',
      'email',
      'mobilePhone',
      'comments',
      'groups',
      'policies',
      'console',
      'accessKey',
    ]);
    const name = str(item, path, 'name');
    const memberOf: string[] = [];
    const g = item.groups;
    if (g !== undefined && g !== null) {
      if (!Array.isArray(g)) problem([...path, 'groups'], 'must be a list of group names');
      else
        g.forEach((n, i) => {
          if (typeof n !== 'string' || !groupNames.has(n.toLowerCase()))
            problem([...path, 'groups', i], `no group ${String(n)} is defined under groups:`);
          else memberOf.push(n);
        });
    }
    let consoleSpec: OrgConsole | false | undefined;
    const c = item.console;
    if (c === false) consoleSpec = false;
    else if (c === true) consoleSpec = { passwordResetRequired: true, mfaBindRequired: false };
    else if (isRecord(c)) {
      only(c, [...path, 'console'], ['passwordResetRequired', 'mfaBindRequired']);
      consoleSpec = {
        passwordResetRequired: c.passwordResetRequired !== false,
        mfaBindRequired: c.mfaBindRequired === true,
      };
    } else if (c !== undefined)
      problem([...path, 'console'], 'must be true, false or {passwordResetRequired, mfaBindRequired}');
    if (item.accessKey !== undefined && typeof item.accessKey !== 'boolean')
      problem([...path, 'accessKey'], 'must be true or false');
    const fields = Object.fromEntries(
      (['displayName', 'email', 'mobilePhone', 'comments'] as const).flatMap((k) => {
        const v = str(item, path, k);
        return v === undefined ? [] : [[k, v]];
      }),
    );
    if (name)
      users.push({
        name,
        ...fields,
        groups: memberOf,
        policies: refs(item, path),
        ...(consoleSpec !== undefined ? { console: consoleSpec } : {}),
        ...(typeof item.accessKey === 'boolean' ? { accessKey: item.accessKey } : {}),
      });
  }

  const roleEntries = list('roles');
  names('role', roleEntries);
  const roles: OrgRole[] = [];
  for (const { item, path } of roleEntries) {
    only(item, path, ['name', 'description', 'maxSessionDuration', 'trust', 'trustFile', 'policies']);
    const name = str(item, path, 'name');
    const trust = documentOf(item, path, 'trust', 'trustFile', 'trust');
    const description = str(item, path, 'description');
    const max = item.maxSessionDuration;
    if (max !== undefined && (!Number.isInteger(max) || (max as number) < 3600 || (max as number) > 43200))
      problem([...path, 'maxSessionDuration'], 'must be a whole number of seconds from 3600 to 43200');
    if (name && trust)
      roles.push({
        name,
        trust,
        policies: refs(item, path),
        ...(description !== undefined ? { description } : {}),
        ...(typeof max === 'number' ? { maxSessionDuration: max } : {}),
      });
  }

  const passwordPolicy = settings('passwordPolicy', PASSWORD_POLICY_KEYS);
  const securityPreference = settings('securityPreference', SECURITY_PREFERENCE_KEYS);
  if (found.length) {
    found.sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0));
    throw new OrgFileError(found.map((f) => `${file}${f.at ? `:${f.at.line}:${f.at.col}` : ''}: ${f.text}`));
  }
  return {
    ...(passwordPolicy ? { passwordPolicy } : {}),
    ...(securityPreference ? { securityPreference } : {}),
    policies,
    groups,
    users,
    roles,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether two JSON documents mean the same (key order and spacing aside). */
export function sameDocument(a: string, b: string): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon(v[k])]),
          )
        : v;
  try {
    return JSON.stringify(canon(JSON.parse(a))) === JSON.stringify(canon(JSON.parse(b)));
  } catch {
    return a === b;
  }
}
