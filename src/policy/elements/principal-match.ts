/** Does a Principal element name the caller? (section 2.4) */
import { globMatch } from '../glob.js';
import type { PrincipalSpec } from '../document.js';
import type { RequestPrincipal } from '../request.js';

const ROOT = /^acs:ram::([^:]+):root$/;

/** The OSS form of a role session: arn:sts::<uid>:assumed-role/<role-name>/<session-name>. */
export function ossSessionArn(p: RequestPrincipal): string | undefined {
  if (p.type !== 'AssumedRole' || !p.roleArn) return undefined;
  const slash = p.roleArn.indexOf(':role/');
  if (slash < 0) return undefined;
  return `arn:sts::${p.accountId}:assumed-role/${p.roleArn.slice(slash + 6)}/${p.name ?? ''}`;
}

function matchesRam(value: string, p: RequestPrincipal): boolean {
  const v = value.toLowerCase();
  const root = ROOT.exec(v);
  if (root)
    return root[1] === p.accountId && (p.type === 'RAMUser' || p.type === 'AssumedRole' || p.type === 'Root');
  if (v.includes(':user/')) return p.type === 'RAMUser' && p.arn !== undefined && p.arn.toLowerCase() === v;
  if (v.includes(':role/'))
    return p.type === 'AssumedRole' && p.roleArn !== undefined && p.roleArn.toLowerCase() === v;
  return false;
}

function matchesListEntry(value: string, p: RequestPrincipal): boolean {
  if (value === '*') return true;
  if (p.type === 'Service' || p.type === 'Federated' || p.type === 'Anonymous') return false;
  if (value === p.accountId) return true;
  if (p.type === 'RAMUser' && p.userId !== undefined && value === p.userId) return true;
  const v = value.toLowerCase();
  if (p.arn !== undefined && p.arn.toLowerCase() === v) return true;
  if (v.startsWith('acs:ram::')) return matchesRam(value, p);
  const session = ossSessionArn(p);
  return session !== undefined && v.startsWith('arn:sts::') && globMatch(v, session.toLowerCase());
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
        p.service?.toLowerCase() === value.toLowerCase()
      )
        return true;
      if (
        entry.type === 'Federated' &&
        p.type === 'Federated' &&
        p.provider?.toLowerCase() === value.toLowerCase()
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
