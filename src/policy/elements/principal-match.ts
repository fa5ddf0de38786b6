/** Does a Principal element name the caller? (section 2.4) */
import { globMatch } from '../glob.js';
import type { PrincipalSpec } from '../document.js';
import type { RequestPrincipal } from '../request.js';
import { asciiLowerCase as lower } from '../../text.js';

const ROOT = /^acs:ram::([^:]+):root$/;

/** The OSS form of a role session: arn:sts::<uid>:assumed-role/<role-name>/<session-name>. */
export function ossSessionArn(p: RequestPrincipal): string | undefined {
  if (p.type !== 'AssumedRole' || !p.roleArn) return undefined;
  const slash = p.roleArn.indexOf(':role/');
  if (slash < 0) return undefined;
  return `arn:sts::${p.accountId}:assumed-role/${p.roleArn.slice(slash + 6)}/${p.name ?? ''}`;
}

// Principals compare ignoring A-Z case only: a policy that writes the Kelvin sign (U+212A) for
// `k` names no principal whose name has a `k` (names are ASCII; src/text.ts).

function matchesRam(value: string, p: RequestPrincipal): boolean {
  const v = lower(value);
  const root = ROOT.exec(v);
  if (root)
    return root[1] === p.accountId && (p.type === 'RAMUser' || p.type === 'AssumedRole' || p.type === 'Root');
  if (v.includes(':user/')) return p.type === 'RAMUser' && p.arn !== undefined && lower(p.arn) === v;
  if (v.includes(':role/'))
    return p.type === 'AssumedRole' && p.roleArn !== undefined && lower(p.roleArn) === v;
  return false;
}

function matchesListEntry(value: string, p: RequestPrincipal): boolean {
  if (value === '*') return true;
  if (p.type === 'Service' || p.type === 'Federated' || p.type === 'Anonymous') return false;
  if (value === p.accountId) return true;
  if (p.type === 'RAMUser' && p.userId !== undefined && value === p.userId) return true;
  const v = lower(value);
  if (p.arn !== undefined && lower(p.arn) === v) return true;
  if (v.startsWith('acs:ram::')) return matchesRam(value, p);
  const session = ossSessionArn(p);
  return session !== undefined && v.startsWith('arn:sts::') && globMatch(v, lower(session));
}

export function principalMatches(spec: PrincipalSpec, p: RequestPrincipal): boolean {
  if (spec.form === 'list') return spec.values.some((v) => matchesListEntry(v, p));
  for (const entry of spec.entries) {
    for (const value of entry.values) {
      if (entry.type === 'RAM' && (value === '*' ? matchesListEntry(value, p) : matchesRam(value, p)))
        return true;
      if (
        entry.type === 'Service' &&
        p.type === 'Service' &&
        p.service !== undefined &&
        lower(p.service) === lower(value)
      )
        return true;
      if (
        entry.type === 'Federated' &&
        p.type === 'Federated' &&
        p.provider !== undefined &&
        lower(p.provider) === lower(value)
      )
        return true;
    }
  }
  return false;
}

/** A Principal that names everyone ("*"), the form that also binds the bucket owner. */
export function principalHasStar(spec: PrincipalSpec | undefined): boolean {
  if (!spec) return false;
  if (spec.form === 'list') return spec.values.includes('*');
  return spec.entries.some((e) => e.values.includes('*'));
}

/** Who the caller is, for messages. */
export function describePrincipal(p: RequestPrincipal): string {
  switch (p.type) {
    case 'Service':
      return `service ${p.service ?? '(unnamed)'}`;
    case 'Federated':
      return `federated user of ${p.provider ?? '(unknown provider)'}`;
    case 'AssumedRole':
      return `role session ${p.arn ?? p.roleArn ?? '(unknown)'}`;
    case 'Root':
      return `account ${p.accountId}`;
    case 'Anonymous':
      return 'an anonymous caller';
    default:
      return p.arn ?? `RAM user ${p.name ?? p.userId ?? '(unknown)'}`;
  }
}
